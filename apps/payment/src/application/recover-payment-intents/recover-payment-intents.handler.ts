import { Injectable, Logger } from '@nestjs/common';
import { changeLocked, UnitOfWork } from '@storage/ddd';
import { PaymentProvider } from '../ports/payment-provider.port';
import { PaymentRepository } from '../ports/payment.repository.port';
import type { RecoverPaymentIntentsCommand } from './recover-payment-intents.command';

export const NO_CHARGE_RECORDED = 'NO_CHARGE_RECORDED';

/**
 * Reconciliation for the gap the intent leaves open: the service died (or its caller gave up)
 * between writing the intent and recording the provider's answer. The provider's own record
 * decides: a charge it made settles the intent (and is refunded if the booking gave up); no charge
 * voids it. Idempotent and safe in every replica (row lock, settle/void change nothing twice).
 */
@Injectable()
export class RecoverPaymentIntentsHandler {
  private readonly logger = new Logger(RecoverPaymentIntentsHandler.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ olderThanMs, now }: RecoverPaymentIntentsCommand): Promise<number> {
    const stale = await this.payments.findPendingCreatedBefore(new Date(now.getTime() - olderThanMs), 50);
    let repaired = 0;
    for (const intent of stale) {
      const outcome = await this.provider.lookup(intent.bookingId);
      const { changed } = await changeLocked(this.unitOfWork, {
        lock: () => this.payments.findByBookingId(intent.bookingId, { lock: true }),
        apply: (current) => (outcome ? current.settle(outcome) : current.voidPending(NO_CHARGE_RECORDED)),
        save: (current) => this.payments.save(current),
      });
      if (changed) {
        repaired += 1;
        this.logger.warn({
          msg: 'Recovered a payment intent whose outcome was never recorded',
          bookingId: intent.bookingId,
          outcome: outcome ? (outcome.approved ? 'APPROVED' : 'DECLINED') : 'VOIDED',
        });
      }
    }
    return repaired;
  }
}
