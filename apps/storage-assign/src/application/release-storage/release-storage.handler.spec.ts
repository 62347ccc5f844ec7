import { RentalPeriod, type UnitOfWork } from '@storage/ddd';
import { Assignment } from '../../domain';
import { InMemoryAssignments } from '../ports/assignment.repository.fake';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { AssignStorageCommand } from '../assign-storage/assign-storage.command';
import { AssignStorageHandler } from '../assign-storage/assign-storage.handler';
import { ReleaseStorageCommand } from './release-storage.command';
import { ReleaseStorageHandler } from './release-storage.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };

function setUp() {
  const units = new InMemoryUnits();
  const assignments = new InMemoryAssignments(units);
  const assign = (bookingId: string) =>
    new AssignStorageHandler(assignments, unitOfWork).execute(
      new AssignStorageCommand(bookingId, 'S', '2099-05-01', '2099-05-08'),
    );
  const release = (bookingId: string, reason = 'CUSTOMER_REQUEST') =>
    new ReleaseStorageHandler(assignments, unitOfWork).execute(new ReleaseStorageCommand(bookingId, reason));
  return { units, assignments, assign, release };
}

describe('ReleaseStorageHandler', () => {
  it('frees the unit of a cancelled booking for its period, with the reason, announced once', async () => {
    const { units, assignments, assign, release } = setUp();
    const unit = units.add({ code: 'S-001' });
    await assign('b-1');
    assignments.outbox.length = 0;
    units.locks.length = 0;
    expect(await release('b-1', 'CUSTOMER_REQUEST')).toBe(true);
    expect(assignments.active()).toEqual([]);
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageReleased',
        assignment: expect.objectContaining({
          bookingId: 'b-1',
          unitId: unit,
          status: 'RELEASED',
          releaseReason: 'CUSTOMER_REQUEST',
        }) as unknown,
      },
    ]);
    // The booking first (a retirement moving it finishes before), then its assignment's row.
    expect(units.locks).toEqual(['booking b-1', expect.stringMatching(/^assignment /)]);
    // The only unit of the size is free again for that period.
    expect(await assign('b-2')).toBe('assigned');
  });

  it('changes nothing on a redelivery, nor for a booking that never held a unit', async () => {
    const { units, assignments, assign, release } = setUp();
    units.add({ code: 'S-001' });
    await assign('b-1');
    await release('b-1');
    const writes = assignments.writes;
    const events = assignments.outbox.length;
    expect(await release('b-1')).toBe(false);
    expect(await release('never-assigned')).toBe(false);
    expect(assignments.writes).toBe(writes);
    expect(assignments.outbox).toHaveLength(events);
  });

  it('releases the replacement of a booking moved off a retired unit, not the superseded one', async () => {
    const { assignments, release } = setUp();
    const period = RentalPeriod.of('2099-05-01', '2099-05-08');
    const old = Assignment.assign({
      bookingId: 'b-1',
      unitId: 'u-old',
      unitCode: 'S-001',
      size: 'S',
      period,
    });
    old.supersede();
    const replacement = Assignment.assign({
      bookingId: 'b-1',
      unitId: 'u-new',
      unitCode: 'S-002',
      size: 'S',
      period,
    });
    for (const assignment of [old, replacement]) {
      assignments.rows.set(assignment.snapshot().id, assignment.snapshot());
    }
    expect(await release('b-1')).toBe(true);
    expect(assignments.rows.get(replacement.snapshot().id)?.status).toBe('RELEASED');
    expect(assignments.rows.get(old.snapshot().id)?.releaseReason).toBe('UNIT_RETIRED_REASSIGNED');
  });
});
