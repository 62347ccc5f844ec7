import { TaskCancelledError } from 'cockatiel';
import { withDeadline } from './deadline';

/** Keeps the event loop busy, as a process starved of CPU on a loaded machine is. */
function stallEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

const answerAfter = (ms: number) => (signal: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve('answer'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });

describe('withDeadline', () => {
  it('gives up on a call still unanswered at its deadline, and aborts it', async () => {
    let seen: AbortSignal | undefined;
    const call = (signal: AbortSignal) => {
      seen = signal;
      return answerAfter(1000)(signal);
    };
    await expect(withDeadline(30, new AbortController().signal, call)).rejects.toBeInstanceOf(
      TaskCancelledError,
    );
    expect(seen?.aborted).toBe(true);
  });

  it('passes an answer and a failure through as they come before the deadline', async () => {
    await expect(withDeadline(1000, new AbortController().signal, answerAfter(5))).resolves.toBe('answer');
    await expect(
      withDeadline(1000, new AbortController().signal, () => Promise.reject(new Error('refused'))),
    ).rejects.toThrow('refused');
  });

  it('keeps an answer that arrived while its own event loop was stalled past the deadline', async () => {
    // The answer is due 10 ms after the deadline; the loop wakes 100 ms late, when both are due.
    const call = withDeadline(50, new AbortController().signal, answerAfter(60));
    stallEventLoop(150);
    await expect(call).resolves.toBe('answer');
  });

  it('still gives up when the answer comes after the stalled loop woke up', async () => {
    const call = withDeadline(50, new AbortController().signal, answerAfter(400));
    stallEventLoop(150);
    await expect(call).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('aborts the call when the caller aborts', async () => {
    const caller = new AbortController();
    const call = withDeadline(1000, caller.signal, answerAfter(500));
    caller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});
