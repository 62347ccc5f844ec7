import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';
import type { CompleteRentalCommand } from './complete-rental.command';

/** Transient: the booking moved to another unit while its completion was being prepared. */
export class AssignmentMovedError extends Error {
  readonly transient = true;
  constructor(bookingId: string) {
    super(`Booking ${bookingId} moved to another unit meanwhile; retry`);
    this.name = 'AssignmentMovedError';
  }
}

/** BookingCompleted -> the assignment ends and the unit waits for inspection. */
@Injectable()
export class CompleteRentalHandler {
  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ bookingId }: CompleteRentalCommand): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      // The unit is locked before the booking, as retirement does: the opposite order deadlocks.
      const seen = await this.assignments.findActiveByBooking(bookingId);
      if (!seen) {
        return false;
      }
      const unit = await this.units.findById(seen.unitId, { lock: true });
      await this.assignments.lockBooking(bookingId);
      const assignment = await this.assignments.findActiveByBooking(bookingId, { lock: true });
      if (assignment && assignment.unitId !== seen.unitId) {
        // Moved to another unit between the two reads: start over with the new unit.
        throw new AssignmentMovedError(bookingId);
      }
      if (!assignment?.complete()) {
        return false;
      }
      await this.assignments.save(assignment);
      if (unit?.awaitInspection()) {
        await this.units.save(unit);
      }
      return true;
    });
  }
}
