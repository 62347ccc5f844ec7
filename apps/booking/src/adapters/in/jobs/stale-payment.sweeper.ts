import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ExpireStalePaymentsHandler } from '../../../application/expire-stale-payments/expire-stale-payments.handler';

/** Runs the stale-payment reconciliation on a timer (every replica; row locks keep them apart). */
export class StalePaymentSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StalePaymentSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly handler: ExpireStalePaymentsHandler,
    private readonly intervalMs: number,
    private readonly graceMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.handler
        .execute(this.graceMs)
        .catch((error: unknown) =>
          this.logger.warn({ msg: 'Stale-payment sweep failed', err: String(error) }),
        )
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
