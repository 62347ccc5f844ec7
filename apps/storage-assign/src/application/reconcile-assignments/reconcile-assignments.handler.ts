import { Injectable, Logger } from '@nestjs/common';
import { bookingFate } from '@storage/contracts';
import { BookingStatuses } from '../ports/booking-statuses.port';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import { ReleaseStorageHandler } from '../release-storage/release-storage.handler';
import { ReleaseStorageCommand } from '../release-storage/release-storage.command';
import type { ReconcileAssignmentsCommand } from './reconcile-assignments.command';

/**
 * No unit held for a booking that is not kept, whatever happened to the events: an ACTIVE
 * assignment older than `afterMs` is checked against booking. Rejected or cancelled there:
 * released here (the same release a BookingCancelled makes). Kept there: marked, never asked
 * again. Still in flight: asked next run. Idempotent and safe in every replica.
 */
@Injectable()
export class ReconcileAssignmentsHandler {
  private readonly logger = new Logger(ReconcileAssignmentsHandler.name);

  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly bookings: BookingStatuses,
    private readonly release: ReleaseStorageHandler,
  ) {}

  async execute({ afterMs, now }: ReconcileAssignmentsCommand): Promise<number> {
    const candidates = await this.assignments.findUnreconciledActiveBefore(
      new Date(now.getTime() - afterMs),
      50,
    );
    let released = 0;
    for (const candidate of candidates) {
      const status = await this.bookings.statusOf(candidate.bookingId);
      const fate = bookingFate(status);
      if (fate !== 'given-up') {
        // Undecided: asked again after another `afterMs`.
        await this.assignments.markReconciled(candidate.bookingId, fate === 'kept' ? 'kept' : 'open');
      } else {
        if (await this.release.execute(new ReleaseStorageCommand(candidate.bookingId, `BOOKING_${status}`))) {
          released += 1;
          this.logger.warn({
            msg: 'Released a unit held for a booking that is not kept',
            bookingId: candidate.bookingId,
            bookingStatus: status,
          });
        }
      }
    }
    return released;
  }
}
