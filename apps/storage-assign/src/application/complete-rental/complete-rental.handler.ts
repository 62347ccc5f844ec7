import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';

/** BookingCompleted -> the assignment ends and the unit waits for inspection. */
@Injectable()
export class CompleteRentalHandler {
  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(bookingId: string): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      const assignment = await this.assignments.findActiveByBooking(bookingId, { lock: true });
      if (!assignment?.complete()) {
        return false;
      }
      await this.assignments.save(assignment);
      const unit = await this.units.findById(assignment.unitId, { lock: true });
      if (unit?.awaitInspection()) {
        await this.units.save(unit);
      }
      return true;
    });
  }
}
