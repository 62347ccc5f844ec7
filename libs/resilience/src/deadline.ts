import { TaskCancelledError } from 'cockatiel';

/**
 * Runs `call` with a signal that aborts it `ms` after the start, and rejects with
 * TaskCancelledError then, unless the call settled first. The deadline is checked only once the
 * I/O already waiting has been read: on a busy machine a process's event loop can wake tens of
 * milliseconds late, and then the deadline's timer and the answer that arrived meanwhile are due in
 * the same turn, the timer first. An answer already received is not thrown away for the caller's
 * own lateness (measured in the bench's circuit-breaker scenario: event-loop delay p99 of 35-47 ms
 * in every service against a 10 ms margin between the payment's latency and the timeout).
 */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort(outer.reason);
  if (outer.aborted) {
    abort();
  } else {
    outer.addEventListener('abort', abort, { once: true });
  }
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  // Called now (the async wrapper only turns a synchronous throw into a rejection).
  const answer = (async () => call(controller.signal))().finally(() => {
    settled = true;
  });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      // setImmediate: after this turn's poll phase, where an answer already on the socket is read.
      () =>
        setImmediate(() => {
          if (!settled) {
            const error = new TaskCancelledError(`Operation timed out after ${ms}ms`);
            controller.abort(error);
            reject(error);
          }
        }),
      ms,
    );
  });
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', abort);
  }
}
