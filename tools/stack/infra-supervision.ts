/**
 * `npm start` and `npm run infra` keep their Postgres and Kafka running as a cluster keeps its
 * stateful pods: one that exits without being asked (kill -9, a crash, `pg_ctl stop` from a
 * shell) is started again with the same port and data. The services wait such an outage out
 * (they retry, pause their consumers and answer not ready meanwhile), so nothing is lost; without
 * this, a dead server stayed dead until the whole stack was restarted by hand.
 */
import type { ChildProcess } from 'node:child_process';

/** A process the stack started and can start again. */
export interface Restartable {
  restart?(): Promise<void>;
  onUnexpectedExit?(listener: (how: string) => void): void;
}

/** Whether a child process is gone (one killed by a signal has a signal and no exit code). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Tells the listeners when a process exits that no one asked to stop (`asked()` false): killed,
 * crashed, or shut down from outside. A process already gone when watched is reported at once.
 */
export function watchExits(
  child: ChildProcess | undefined,
  asked: () => boolean,
  listeners: readonly ((how: string) => void)[],
): void {
  if (!child) {
    return;
  }
  const report = (code: number | null, signal: NodeJS.Signals | null) => {
    if (!asked()) {
      const how = signal ? `signal ${signal}` : `code ${code}`;
      listeners.forEach((listener) => listener(how));
    }
  };
  if (hasExited(child)) {
    report(child.exitCode, child.signalCode);
  } else {
    child.once('exit', report);
  }
}

/**
 * A server handle's side of it: the exits of the processes it starts, less those its own stop
 * asked for (`stopAsked()` before stopping; `watch` each process once it is up).
 */
export class UnaskedExits {
  private asked = false;
  private readonly listeners: ((how: string) => void)[] = [];

  stopAsked(): void {
    this.asked = true;
  }

  watch(child: ChildProcess | undefined): void {
    this.asked = false;
    watchExits(child, () => this.asked, this.listeners);
  }

  readonly onUnexpectedExit = (listener: (how: string) => void): void => {
    this.listeners.push(listener);
  };
}

/**
 * Starts `part` again whenever it exits unasked: first after a second, then after a back-off
 * that doubles up to 30 s while starts fail (Postgres refuses to start while backends of a killed
 * server still hold its shared memory; they leave within a moment). Nothing happens once
 * `stopping()` says the stack is shutting down: a terminal's Ctrl-C reaches the servers too, and
 * they exit on their own before the stack stops them.
 */
export function keepRunning(
  name: string,
  part: Restartable,
  options: { log: (line: string) => void; stopping: () => boolean; firstDelayMs?: number },
): void {
  const restart = part.restart?.bind(part);
  if (!restart || !part.onUnexpectedExit) {
    return; // an external server: someone else runs it
  }
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let restarting = false;
  const startAgain = async (how: string) => {
    restarting = true;
    try {
      let delayMs = options.firstDelayMs ?? 1000;
      await pause(delayMs);
      if (options.stopping()) {
        return;
      }
      options.log(`${name} exited (${how}); starting it again with the same port and data.`);
      while (!options.stopping()) {
        try {
          await restart();
          options.log(`${name} is up again.`);
          return;
        } catch (error) {
          delayMs = Math.min(30_000, delayMs * 2);
          options.log(
            `${name} did not start (${error instanceof Error ? error.message : String(error)}); ` +
              `trying again in ${delayMs / 1000} s.`,
          );
          await pause(delayMs);
        }
      }
    } finally {
      restarting = false;
    }
  };
  part.onUnexpectedExit((how) => {
    if (!restarting) {
      void startAgain(how);
    }
  });
}
