import { Injectable, Logger } from '@nestjs/common';
import { changeInHand, changeLocked, UnitOfWork, type LockedChange } from '@storage/ddd';
import type { Booking } from '../../domain';
import { bookingInHand } from '../booking-transition';
import { BookingRepository } from '../ports/booking.repository.port';
import { SagaMetrics } from '../ports/saga-metrics.port';
import { RecentBookings } from '../recent-bookings';
import type { ApplyStorageOutcomeCommand } from './apply-storage-outcome.command';

/** Policies of the saga: what storage-assign's outcome means for the booking. */
@Injectable()
export class ApplyStorageOutcomeHandler {
  private readonly logger = new Logger(ApplyStorageOutcomeHandler.name);

  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: SagaMetrics,
    private readonly recent: RecentBookings,
  ) {}

  execute({ bookingId, outcome }: ApplyStorageOutcomeCommand): Promise<boolean> {
    switch (outcome.kind) {
      // StorageAssigned -> CONFIRMED (or moved to the replacement unit).
      case 'assigned':
        return this.apply(
          bookingId,
          'StorageAssigned',
          (booking) => booking.assignUnit(outcome.unitId, outcome.unitCode),
          'confirmed',
        );
      // StorageAssignmentFailed -> REJECTED(NO_UNIT_AVAILABLE); payment refunds on the rejection.
      case 'failed':
        return this.apply(
          bookingId,
          'StorageAssignmentFailed',
          (booking) => booking.rejectForNoUnit(),
          'rejected',
        );
      // StorageAssignmentRevoked -> CANCELLED(UNIT_RETIRED); payment refunds on the cancellation.
      case 'revoked':
        return this.apply(bookingId, 'StorageAssignmentRevoked', (booking) => booking.cancelForRetiredUnit());
    }
  }

  /** `settles`: the saga outcome this transition is, when it moves a PAID booking on. */
  private async apply(
    bookingId: string,
    cause: string,
    transition: (booking: Booking) => boolean,
    settles?: 'confirmed' | 'rejected',
  ): Promise<boolean> {
    let placedAt: Date | undefined;
    const locked: LockedChange<Booking> = {
      lock: () => this.bookings.findById(bookingId, { lock: true }),
      apply: (booking) => {
        // A PAID booking's last change is its placement (the payment's approval).
        placedAt = booking.status === 'PAID' ? booking.snapshot().updatedAt : undefined;
        return transition(booking);
      },
      save: (booking) => this.bookings.save(booking),
    };
    // The booking as this process placed it, when it did: one conditional statement instead of
    // a locked read and a write (the inbox's transaction is joined either way).
    const inHand = this.recent.take(bookingId);
    const { aggregate, changed } = inHand
      ? await changeInHand(this.unitOfWork, bookingInHand(this.bookings, inHand), locked)
      : await changeLocked(this.unitOfWork, locked);
    if (!aggregate) {
      // Not ours (e.g. another environment's event): nothing to change, nothing to retry.
      this.logger.warn({ msg: `${cause} for an unknown booking`, bookingId });
    } else if (!changed) {
      this.logger.log({ msg: `${cause} changes nothing`, bookingId, status: aggregate.status });
    }
    if (changed && settles && placedAt) {
      this.metrics.settled(settles, placedAt);
    }
    return changed;
  }
}
