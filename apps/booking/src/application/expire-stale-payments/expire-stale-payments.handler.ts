import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { BookingRepository } from '../ports/booking.repository.port';
import type { ExpireStalePaymentsCommand } from './expire-stale-payments.command';

/**
 * Reconciliation for the one gap a synchronous call leaves: the process died between recording
 * a booking and learning its payment's outcome. Such a booking is rejected after a grace period;
 * its BookingRejected makes payment refund (or void) whatever was charged.
 */
@Injectable()
export class ExpireStalePaymentsHandler {
  private readonly logger = new Logger(ExpireStalePaymentsHandler.name);

  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute({ graceMs, now }: ExpireStalePaymentsCommand): Promise<number> {
    return this.unitOfWork.run(async () => {
      const stale = await this.bookings.lockStalePaymentPending(new Date(now.getTime() - graceMs), 100);
      for (const booking of stale) {
        booking.abandonPayment(now);
        await this.bookings.save(booking);
        this.logger.warn({
          msg: 'Rejected a booking whose payment outcome never arrived',
          bookingId: booking.id,
        });
      }
      return stale.length;
    });
  }
}
