import { RentalPeriod, type UnitOfWork } from '@storage/ddd';
import { Assignment } from '../../domain';
import { InMemoryAssignments } from '../ports/assignment.repository.fake';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { CompleteRentalCommand } from './complete-rental.command';
import { AssignmentMovedError, CompleteRentalHandler } from './complete-rental.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };
const period = RentalPeriod.of('2030-05-01', '2030-05-08');

function setUp(assignments?: (units: InMemoryUnits) => InMemoryAssignments) {
  const units = new InMemoryUnits();
  const store = assignments?.(units) ?? new InMemoryAssignments(units);
  const handler = new CompleteRentalHandler(store, units, unitOfWork);
  const complete = (bookingId: string) => handler.execute(new CompleteRentalCommand(bookingId));
  return { units, assignments: store, complete };
}

describe('CompleteRentalHandler', () => {
  it('ends the assignment at check-out and puts the unit up for inspection', async () => {
    const { units, assignments, complete } = setUp();
    const unit = units.add({ code: 'S-001' });
    const assignment = assignments.hold('b-1', unit, '2030-05-01', '2030-05-08');
    expect(await complete('b-1')).toBe(true);
    expect(assignments.rows.get(assignment)?.status).toBe('COMPLETED');
    expect(units.rows.get(unit)?.status).toBe('INSPECTION');
    expect(units.outbox.map((event) => event.type)).toEqual(['StorageUnitChanged']);
    // Ending a rental is not a release: nobody downstream is told the unit was given back.
    expect(assignments.outbox).toEqual([]);
    // The unit's row before the booking, as retirement locks them: the other order deadlocks.
    expect(units.locks).toEqual([`unit ${unit}`, 'booking b-1', `assignment ${assignment}`]);
  });

  it('leaves a unit staff already took out of service as it is', async () => {
    const { units, assignments, complete } = setUp();
    const unit = units.add({ code: 'S-001' }, 'MAINTENANCE');
    assignments.hold('b-1', unit, '2030-05-01', '2030-05-08');
    expect(await complete('b-1')).toBe(true);
    expect(units.rows.get(unit)?.status).toBe('MAINTENANCE');
    expect(units.writes).toBe(0);
  });

  it('changes nothing on a redelivery, nor for a booking holding no unit', async () => {
    const { units, assignments, complete } = setUp();
    assignments.hold('b-1', units.add({ code: 'S-001' }), '2030-05-01', '2030-05-08');
    await complete('b-1');
    const writes = [assignments.writes, units.writes];
    expect(await complete('b-1')).toBe(false);
    expect(await complete('unknown')).toBe(false);
    expect([assignments.writes, units.writes]).toEqual(writes);
  });

  it('starts over when the booking moved to another unit between its two reads', async () => {
    /** A retirement moves the booking while this completion waits for the booking's lock. */
    class MovedWhileWaiting extends InMemoryAssignments {
      override async lockBooking(bookingId: string) {
        const [held] = this.active();
        const moved = Assignment.restore(held);
        moved.supersede();
        await this.save(moved);
        await this.insert(
          Assignment.assign({ bookingId, unitId: 'u-new', unitCode: 'S-002', size: 'S', period }),
        );
        return super.lockBooking(bookingId);
      }
    }
    const { units, assignments, complete } = setUp((unitRows) => new MovedWhileWaiting(unitRows));
    const unit = units.add({ code: 'S-001' });
    assignments.hold('b-1', unit, '2030-05-01', '2030-05-08');
    const attempt = complete('b-1');
    await expect(attempt).rejects.toThrow(AssignmentMovedError);
    await expect(attempt).rejects.toMatchObject({ transient: true });
    expect(units.rows.get(unit)?.status).toBe('AVAILABLE');
    expect(assignments.active()).toEqual([expect.objectContaining({ unitId: 'u-new', status: 'ACTIVE' })]);
  });
});
