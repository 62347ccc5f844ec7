import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { Payment } from '../../domain';
import { PaymentRepository } from '../ports/payment.repository.port';
import type { RefundPaymentCommand } from './refund-payment.command';

/** Transient: retried by the consumer, which then finds the payment and refunds it. */
export class PaymentAppearedConcurrentlyError extends Error {
  readonly transient = true;
  constructor(bookingId: string) {
    super(`Payment for booking ${bookingId} appeared concurrently; retrying`);
    this.name = 'PaymentAppearedConcurrentlyError';
  }
}

/**
 * Gives the money back for a rejected or cancelled booking. When no charge exists yet (the
 * booking gave up while its payment call was still in flight) the booking is voided instead, so
 * the late charge finds the void and is refused rather than keeping money for nothing.
 */
@Injectable()
export class RefundPaymentHandler {
  private readonly logger = new Logger(RefundPaymentHandler.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: RefundPaymentCommand): Promise<'refunded' | 'voided' | 'unchanged'> {
    return this.unitOfWork.run(async () => {
      const payment = await this.payments.findByBookingId(command.bookingId, { lock: true });
      if (!payment) {
        const { inserted } = await this.payments.insertOrGetExisting(
          Payment.void(
            { bookingId: command.bookingId, customerId: command.customerId, amount: command.amount },
            command.reason,
          ),
        );
        if (!inserted) {
          // A charge began between the lookup and the void: the retry sees and refunds or voids it.
          throw new PaymentAppearedConcurrentlyError(command.bookingId);
        }
        return 'voided';
      }
      if (payment.voidPending(command.reason)) {
        // The charge is still in flight: its answer, when it comes, is refunded at once.
        await this.payments.save(payment);
        return 'voided';
      }
      if (!payment.refund(command.reason)) {
        this.logger.log({ msg: 'Nothing to refund', bookingId: command.bookingId, status: payment.status });
        return 'unchanged';
      }
      await this.payments.save(payment);
      return 'refunded';
    });
  }
}
