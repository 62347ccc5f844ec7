import { InvalidPeriodError, type UnitOfWork } from '@storage/ddd';
import { InMemoryAssignments } from '../ports/assignment.repository.fake';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { AssignStorageCommand } from './assign-storage.command';
import { AssignStorageHandler, NO_UNIT_AVAILABLE } from './assign-storage.handler';
import { UnitContentionError } from './unit-contention.error';

const unitOfWork: UnitOfWork = { run: (work) => work() };

function setUp() {
  const units = new InMemoryUnits();
  const assignments = new InMemoryAssignments(units);
  const handler = new AssignStorageHandler(assignments, unitOfWork);
  const assign = (
    bookingId: string,
    startDate = '2099-05-01',
    endDate = '2099-05-08',
    size: 'S' | 'M' = 'S',
  ) => handler.execute(new AssignStorageCommand(bookingId, size, startDate, endDate));
  return { units, assignments, assign };
}

describe('AssignStorageHandler', () => {
  it('gives a paid booking the first free unit of its size by code, announced once', async () => {
    const { units, assignments, assign } = setUp();
    units.add({ code: 'S-002' });
    const first = units.add({ code: 'S-001' });
    units.add({ code: 'M-001', size: 'M' });
    expect(await assign('b-1')).toBe('assigned');
    expect(assignments.active()).toEqual([
      expect.objectContaining({
        bookingId: 'b-1',
        unitId: first,
        unitCode: 'S-001',
        startDate: '2099-05-01',
      }),
    ]);
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageAssigned',
        assignment: expect.objectContaining({ bookingId: 'b-1' }) as unknown,
        reassigned: false,
      },
    ]);
    // The booking is locked before the unit is claimed: a retirement moving it waits, or is waited for.
    expect(units.locks).toEqual(['booking b-1', `unit ${first}`]);
  });

  it('skips a unit held for an overlapping period; a period that only touches it does not overlap', async () => {
    const { units, assignments, assign } = setUp();
    const first = units.add({ code: 'S-001' });
    const second = units.add({ code: 'S-002' });
    assignments.hold('earlier', first, '2099-05-05', '2099-05-10');
    expect(await assign('overlapping', '2099-05-01', '2099-05-06')).toBe('assigned');
    expect(await assign('after', '2099-05-10', '2099-05-12')).toBe('assigned');
    expect(await assign('before', '2099-04-28', '2099-05-01')).toBe('assigned');
    const unitOf = (bookingId: string) =>
      assignments.active().find((row) => row.bookingId === bookingId)?.unitId;
    expect(unitOf('overlapping')).toBe(second);
    expect(unitOf('after')).toBe(first);
    expect(unitOf('before')).toBe(first);
  });

  it('answers a repeat of an assigned booking with the unit it holds, announced again, nothing claimed', async () => {
    const { units, assignments, assign } = setUp();
    const unit = units.add({ code: 'S-001' });
    units.add({ code: 'S-002' });
    await assign('b-1');
    assignments.outbox.length = 0;
    units.locks.length = 0;
    expect(await assign('b-1')).toBe('already-assigned');
    expect(assignments.active()).toHaveLength(1);
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageAssigned',
        assignment: expect.objectContaining({ bookingId: 'b-1', unitId: unit }) as unknown,
        reassigned: false,
      },
    ]);
    expect(units.locks).toEqual(['booking b-1']);
  });

  it('records a booking no unit is free for once, and announces the failure on every report', async () => {
    const { units, assignments, assign } = setUp();
    const only = units.add({ code: 'S-001' });
    assignments.hold('other', only, '2099-01-01', '2099-12-31');
    expect(await assign('b-1')).toBe('failed');
    expect(await assign('b-1')).toBe('failed');
    expect(assignments.failures).toEqual(new Map([['b-1', { size: 'S', reason: NO_UNIT_AVAILABLE }]]));
    expect(assignments.outbox).toEqual([
      { type: 'StorageAssignmentFailed', bookingId: 'b-1', size: 'S', reason: NO_UNIT_AVAILABLE },
      { type: 'StorageAssignmentFailed', bookingId: 'b-1', size: 'S', reason: NO_UNIT_AVAILABLE },
    ]);
    expect(assignments.active().map((row) => row.bookingId)).toEqual(['other']);
  });

  it('asks to be retried, writing nothing, while every free unit is being claimed concurrently', async () => {
    const { units, assignments, assign } = setUp();
    assignments.heldElsewhere.add(units.add({ code: 'S-001' }));
    const attempt = assign('b-1');
    await expect(attempt).rejects.toThrow(UnitContentionError);
    await expect(attempt).rejects.toMatchObject({ transient: true });
    expect(assignments.writes).toBe(0);
    expect(assignments.failures.size).toBe(0);
    expect(assignments.outbox).toEqual([]);
  });

  it('refuses an impossible period before locking anything (poison, not a retry)', async () => {
    const { units, assign } = setUp();
    units.add({ code: 'S-001' });
    const attempt = assign('b-1', '2099-05-08', '2099-05-01');
    await expect(attempt).rejects.toThrow(InvalidPeriodError);
    await expect(attempt).rejects.not.toHaveProperty('transient');
    expect(units.locks).toEqual([]);
  });
});
