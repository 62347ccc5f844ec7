import { Injectable, Logger } from '@nestjs/common';
import { bookingFate } from '@storage/contracts';
import { changeLocked, UnitOfWork } from '@storage/ddd';
import { BookingStatuses } from '../ports/booking-statuses.port';
import { PaymentRepository } from '../ports/payment.repository.port';
import type { ReconcilePaymentsCommand } from './reconcile-payments.command';

/**
 * Money kept only for kept bookings, whatever happened to the events: an APPROVED payment older
 * than `afterMs` is checked against booking. Rejected or cancelled there: refunded here. Kept
 * there (confirmed, completed): marked, never asked again. Still in flight: asked next run.
 * Idempotent and safe in every replica (row lock; refunding twice changes nothing).
 */
@Injectable()
export class ReconcilePaymentsHandler {
  private readonly logger = new Logger(ReconcilePaymentsHandler.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly bookings: BookingStatuses,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ afterMs, now }: ReconcilePaymentsCommand): Promise<number> {
    const candidates = await this.payments.findUnreconciledApprovedBefore(
      new Date(now.getTime() - afterMs),
      50,
    );
    let refunded = 0;
    for (const candidate of candidates) {
      const status = await this.bookings.statusOf(candidate.bookingId);
      const fate = bookingFate(status);
      if (fate !== 'given-up') {
        // Undecided: asked again after another `afterMs`.
        await this.payments.markReconciled(candidate.bookingId, fate === 'kept' ? 'kept' : 'open');
      } else {
        const { changed } = await changeLocked(this.unitOfWork, {
          lock: () => this.payments.findByBookingId(candidate.bookingId, { lock: true }),
          apply: (payment) => payment.refund(`BOOKING_${status}`, now),
          save: (payment) => this.payments.save(payment),
        });
        if (changed) {
          refunded += 1;
          this.logger.warn({
            msg: 'Refunded an approved payment whose booking is not kept',
            bookingId: candidate.bookingId,
            bookingStatus: status,
          });
        }
      }
    }
    return refunded;
  }
}
