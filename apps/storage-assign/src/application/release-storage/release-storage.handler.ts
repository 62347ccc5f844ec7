import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import type { ReleaseStorageCommand } from './release-storage.command';

/** BookingCancelled -> the unit is free for that period again (nothing to do if none was held). */
@Injectable()
export class ReleaseStorageHandler {
  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ bookingId, reason }: ReleaseStorageCommand): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      // Waits for a retirement moving this booking, then sees the replacement it created.
      await this.assignments.lockBooking(bookingId);
      const assignment = await this.assignments.findActiveByBooking(bookingId, { lock: true });
      if (!assignment?.release(reason)) {
        return false;
      }
      await this.assignments.save(assignment);
      return true;
    });
  }
}
