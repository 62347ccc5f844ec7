import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type FactoryProvider,
  type Type,
} from '@nestjs/common';
import { failedRuns, repairs } from './reconciliation.metrics';

/**
 * A reconciliation that runs on a timer in every replica: the work itself must be idempotent and
 * keep replicas apart (row locks, conditional updates). One run at a time per process; what each
 * run repaired is logged, and a failed run is logged and tried again at the next tick.
 */
export class PeriodicJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  /** Repairs made since start: a count an operator (or a test) can read. */
  repaired = 0;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<number>,
  ) {
    this.logger = new Logger(name);
    // Zero from the start: a rate over a series that appears only at its first repair is blind.
    repairs.inc({ job: name }, 0);
    failedRuns.inc({ job: name }, 0);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One run now (skipped when one is still going); resolves with what it repaired. */
  async runOnce(): Promise<number> {
    if (this.running) {
      return 0;
    }
    const run = this.work()
      .then((count) => {
        this.repaired += count;
        repairs.inc({ job: this.name }, count);
        if (count > 0) {
          this.logger.warn({ msg: `${this.name}: repaired ${count}`, job: this.name, repaired: count });
        }
        return count;
      })
      .catch((error: unknown) => {
        failedRuns.inc({ job: this.name });
        this.logger.warn({
          msg: `${this.name} failed; next run retries`,
          job: this.name,
          err: String(error),
        });
        return 0;
      })
      .finally(() => (this.running = undefined));
    this.running = run;
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

/**
 * A module provider for one reconciliation: `run` gets the injected handler. Its token only has
 * to be unique in the module (a symbol), Nest runs the job's lifecycle hooks either way.
 */
export function periodicJobProvider<H>(
  token: symbol,
  name: string,
  intervalMs: number,
  handler: Type<H>,
  run: (handler: H) => Promise<number>,
): FactoryProvider<PeriodicJob> {
  return {
    provide: token,
    useFactory: (instance: H) => new PeriodicJob(name, intervalMs, () => run(instance)),
    inject: [handler],
  };
}
