import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import type { Booking } from '../../domain';
import { BookingRepository } from '../ports/booking.repository.port';

/** Policies of the saga: what storage-assign's outcome means for the booking. */
@Injectable()
export class ApplyStorageOutcomeHandler {
  private readonly logger = new Logger(ApplyStorageOutcomeHandler.name);

  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** StorageAssigned -> CONFIRMED (or moved to the replacement unit). */
  assigned(bookingId: string, unitId: string, unitCode: string): Promise<boolean> {
    return this.apply(bookingId, 'StorageAssigned', (booking) => booking.assignUnit(unitId, unitCode));
  }

  /** StorageAssignmentFailed -> REJECTED(NO_UNIT_AVAILABLE); payment refunds on the rejection. */
  failed(bookingId: string): Promise<boolean> {
    return this.apply(bookingId, 'StorageAssignmentFailed', (booking) => booking.rejectForNoUnit());
  }

  /** StorageAssignmentRevoked -> CANCELLED(UNIT_RETIRED); payment refunds on the cancellation. */
  revoked(bookingId: string): Promise<boolean> {
    return this.apply(bookingId, 'StorageAssignmentRevoked', (booking) => booking.cancelForRetiredUnit());
  }

  private apply(
    bookingId: string,
    cause: string,
    transition: (booking: Booking) => boolean,
  ): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      const booking = await this.bookings.findById(bookingId, { lock: true });
      if (!booking) {
        // Not ours (e.g. another environment's event): nothing to change, nothing to retry.
        this.logger.warn({ msg: `${cause} for an unknown booking`, bookingId });
        return false;
      }
      if (!transition(booking)) {
        this.logger.log({ msg: `${cause} changes nothing`, bookingId, status: booking.status });
        return false;
      }
      await this.bookings.save(booking);
      return true;
    });
  }
}
