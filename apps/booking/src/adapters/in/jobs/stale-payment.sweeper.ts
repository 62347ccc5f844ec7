import { PeriodicJob } from '@storage/service-kit';
import type { ExpireStalePaymentsHandler } from '../../../application/expire-stale-payments/expire-stale-payments.handler';

/** Runs the stale-payment reconciliation on a timer (every replica; row locks keep them apart). */
export class StalePaymentSweeper extends PeriodicJob {
  constructor(handler: ExpireStalePaymentsHandler, intervalMs: number, graceMs: number) {
    super('StalePaymentSweeper', intervalMs, () => handler.execute(graceMs));
  }
}
