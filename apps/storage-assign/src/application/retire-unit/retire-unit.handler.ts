import { Injectable } from '@nestjs/common';
import { RentalPeriod, todayUtc, UnitOfWork } from '@storage/ddd';
import { Assignment, StorageBusyError, StorageUnitNotFoundError } from '../../domain';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';
import type { RetireUnitCommand } from './retire-unit.command';

export interface RetirementOutcome {
  unitId: string;
  reassigned: { bookingId: string; unitCode: string }[];
  revoked: string[];
}

export const UNIT_RETIRED = 'UNIT_RETIRED';

/**
 * Staff retire a unit. Every booking still holding it (running or future) moves to another free
 * unit of the same size; where none is free the assignment is revoked, and booking cancels and
 * refunds it. All in one transaction, so a failure leaves the unit and its bookings as they were.
 * Lock order: the unit, then each booking (see AssignmentRepository).
 */
@Injectable()
export class RetireUnitHandler {
  constructor(
    private readonly units: StorageUnitRepository,
    private readonly assignments: AssignmentRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ unitId }: RetireUnitCommand): Promise<RetirementOutcome> {
    return this.unitOfWork.run(async () => {
      const unit = await this.units.findById(unitId, { lock: true });
      if (!unit) {
        throw new StorageUnitNotFoundError(unitId);
      }
      const outcome: RetirementOutcome = { unitId, reassigned: [], revoked: [] };
      if (!unit.changeStatus('RETIRED')) {
        return outcome;
      }
      await this.units.save(unit);
      const holders = await this.assignments.findActiveForUnitEndingAfter(unitId, todayUtc());
      // Bookings in a fixed order, each locked and re-read: a cancellation or completion that got
      // there first has already ended its assignment, and one that comes later waits for us.
      for (const bookingId of [...new Set(holders.map((held) => held.bookingId))].sort()) {
        await this.assignments.lockBooking(bookingId);
        const held = await this.assignments.findActiveByBooking(bookingId, { lock: true });
        if (!held || held.unitId !== unitId) {
          continue;
        }
        const snapshot = held.snapshot();
        const period = RentalPeriod.of(snapshot.startDate, snapshot.endDate);
        const search = await this.assignments.claimFreeUnit(snapshot.size, period);
        if (search.kind === 'contended') {
          throw new StorageBusyError();
        }
        if (search.kind === 'found') {
          held.supersede();
          await this.assignments.save(held);
          await this.assignments.insert(
            Assignment.assign(
              {
                bookingId: held.bookingId,
                unitId: search.unitId,
                unitCode: search.unitCode,
                size: snapshot.size,
                period,
              },
              { reassigned: true },
            ),
          );
          outcome.reassigned.push({ bookingId: held.bookingId, unitCode: search.unitCode });
        } else {
          held.revoke(UNIT_RETIRED);
          await this.assignments.save(held);
          outcome.revoked.push(held.bookingId);
        }
      }
      return outcome;
    });
  }
}
