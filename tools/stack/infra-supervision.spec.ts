import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '../../test/support/wait-for';
import { keepRunning, watchExits, type Restartable } from './infra-supervision';

/** A server in memory: `exit` plays a kill, `restart` fails as often as told, then succeeds. */
class FakeServer implements Restartable {
  restarts = 0;
  private listeners: ((how: string) => void)[] = [];

  constructor(private failures = 0) {}

  restart(): Promise<void> {
    this.restarts += 1;
    return this.failures-- > 0 ? Promise.reject(new Error('shared memory still in use')) : Promise.resolve();
  }

  onUnexpectedExit(listener: (how: string) => void): void {
    this.listeners.push(listener);
  }

  exit(how: string): void {
    this.listeners.forEach((listener) => listener(how));
  }
}

describe('keepRunning', () => {
  it('starts a server again after it exits unasked, retrying until a start succeeds', async () => {
    const server = new FakeServer(2);
    const lines: string[] = [];
    keepRunning('Postgres', server, {
      log: (line) => lines.push(line),
      stopping: () => false,
      firstDelayMs: 1,
    });
    server.exit('signal SIGKILL');
    await waitFor(
      'the third start',
      () => Promise.resolve(lines),
      (seen) => seen.includes('Postgres is up again.'),
    );
    expect(server.restarts).toBe(3);
    expect(lines[0]).toBe('Postgres exited (signal SIGKILL); starting it again with the same port and data.');
    expect(
      lines.filter((line) => line.startsWith('Postgres did not start (shared memory still in use)')),
    ).toHaveLength(2);
  });

  it('starts it again each time it exits, one start at a time', async () => {
    const server = new FakeServer();
    const lines: string[] = [];
    keepRunning('Kafka', server, { log: (line) => lines.push(line), stopping: () => false, firstDelayMs: 1 });
    server.exit('code 1');
    server.exit('code 1'); // the same exit reported twice while the start is pending: one start
    await waitFor(
      'the first start',
      () => Promise.resolve(lines),
      (seen) => seen.includes('Kafka is up again.'),
    );
    server.exit('signal SIGKILL');
    await waitFor(
      'the second start',
      () => Promise.resolve(server.restarts),
      (restarts) => restarts === 2,
    );
    await waitFor(
      'its report',
      () => Promise.resolve(lines),
      (seen) => seen.filter((line) => line === 'Kafka is up again.').length === 2,
    );
    expect(server.restarts).toBe(2);
  });

  it('leaves a server alone once the stack is stopping (a Ctrl-C reaches the servers too)', async () => {
    jest.useFakeTimers();
    try {
      const server = new FakeServer();
      const lines: string[] = [];
      let stopping = false;
      keepRunning('Postgres', server, { log: (line) => lines.push(line), stopping: () => stopping });
      server.exit('code 0');
      stopping = true;
      // Past the first delay, after which the decision falls.
      await jest.advanceTimersByTimeAsync(5_000);
      expect(server.restarts).toBe(0);
      expect(lines).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does nothing for a server someone else runs (no restart, no exit reports)', () => {
    expect(() => keepRunning('Postgres', {}, { log: () => undefined, stopping: () => false })).not.toThrow();
  });
});

describe('watchExits', () => {
  const sleeper = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });

  it('reports a process killed unasked, with the signal', async () => {
    const child = sleeper();
    const reports: string[] = [];
    watchExits(child, () => false, [(how) => reports.push(how)]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(reports).toEqual(['signal SIGKILL']);
  });

  it('says nothing of a stop that was asked for', async () => {
    const child = sleeper();
    const reports: string[] = [];
    watchExits(child, () => true, [(how) => reports.push(how)]);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(reports).toEqual([]);
  });

  it('reports a process that was already gone when watched', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
    await once(child, 'exit');
    const reports: string[] = [];
    watchExits(child, () => false, [(how) => reports.push(how)]);
    expect(reports).toEqual(['code 3']);
  });
});
