import { Injectable } from '@nestjs/common';
import { RentalPeriod, UnitOfWork } from '@storage/ddd';
import { Assignment, AssignmentFailure } from '../../domain';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import type { AssignStorageCommand } from './assign-storage.command';
import { UnitContentionError } from './unit-contention.error';

export const NO_UNIT_AVAILABLE = 'NO_UNIT_AVAILABLE';

/** BookingPlaced -> a free unit of the size for the period, or a recorded failure. */
@Injectable()
export class AssignStorageHandler {
  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: AssignStorageCommand): Promise<'assigned' | 'failed' | 'already-assigned'> {
    const period = RentalPeriod.of(command.startDate, command.endDate);
    return this.unitOfWork.run(async () => {
      await this.assignments.lockBooking(command.bookingId);
      const search = await this.assignments.claimFreeUnit(command.size, period, {
        unlessHeldBy: command.bookingId,
      });
      if (search.kind === 'held') {
        // A repeat of the booking (a re-drive) gets the outcome it already has, announced again.
        const existing = await this.assignments.findActiveByBooking(command.bookingId);
        if (existing?.reannounce()) {
          await this.assignments.save(existing);
        }
        return 'already-assigned';
      }
      if (search.kind === 'contended') {
        throw new UnitContentionError(command.size);
      }
      if (search.kind === 'none') {
        await this.assignments.recordFailure(
          AssignmentFailure.report({
            bookingId: command.bookingId,
            size: command.size,
            reason: NO_UNIT_AVAILABLE,
          }),
        );
        return 'failed';
      }
      await this.assignments.insert(
        Assignment.assign({
          bookingId: command.bookingId,
          unitId: search.unitId,
          unitCode: search.unitCode,
          size: command.size,
          period,
        }),
      );
      return 'assigned';
    });
  }
}
