import { RentalPeriod, todayUtc, type UnitOfWork } from '@storage/ddd';
import { Assignment, StorageBusyError, StorageUnitNotFoundError } from '../../domain';
import { InMemoryAssignments } from '../ports/assignment.repository.fake';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { RetireUnitCommand } from './retire-unit.command';
import { RetireUnitHandler, UNIT_RETIRED } from './retire-unit.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };

/** A date `days` from today (UTC), as the handler sees today. */
function fromToday(days: number): string {
  return todayUtc(new Date(Date.now() + days * 86_400_000));
}

function setUp(assignmentsOf = (units: InMemoryUnits) => new InMemoryAssignments(units)) {
  const units = new InMemoryUnits();
  const assignments = assignmentsOf(units);
  const handler = new RetireUnitHandler(units, assignments, unitOfWork);
  const retire = (unitId: string) => handler.execute(new RetireUnitCommand(unitId));
  return { units, assignments, retire };
}

describe('RetireUnitHandler', () => {
  it('moves every running or future booking of the unit to a free unit of its size', async () => {
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' });
    const spare = units.add({ code: 'S-002' });
    units.add({ code: 'M-001', size: 'M' });
    const running = assignments.hold('running', retired, fromToday(-2), fromToday(3));
    assignments.hold('future', retired, fromToday(30), fromToday(35));
    const outcome = await retire(retired);
    expect(outcome).toEqual({
      unitId: retired,
      reassigned: [
        { bookingId: 'future', unitCode: 'S-002' },
        { bookingId: 'running', unitCode: 'S-002' },
      ],
      revoked: [],
    });
    expect(units.rows.get(retired)?.status).toBe('RETIRED');
    expect(units.outbox.map((event) => event.type)).toEqual(['StorageUnitChanged']);
    expect(
      assignments
        .active()
        .map((row) => [row.bookingId, row.unitId])
        .sort(),
    ).toEqual([
      ['future', spare],
      ['running', spare],
    ]);
    expect(assignments.rows.get(running)).toMatchObject({
      status: 'RELEASED',
      releaseReason: 'UNIT_RETIRED_REASSIGNED',
    });
    // Each move is announced as an assignment marked reassigned; the superseded one says nothing.
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageAssigned',
        assignment: expect.objectContaining({ bookingId: 'future' }) as unknown,
        reassigned: true,
      },
      {
        type: 'StorageAssigned',
        assignment: expect.objectContaining({ bookingId: 'running' }) as unknown,
        reassigned: true,
      },
    ]);
  });

  it('revokes a booking no other unit is free for, so booking cancels and refunds it', async () => {
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' });
    const other = units.add({ code: 'S-002' });
    assignments.hold('stuck', retired, fromToday(10), fromToday(20));
    assignments.hold('blocking', other, fromToday(5), fromToday(25));
    const outcome = await retire(retired);
    expect(outcome).toEqual({ unitId: retired, reassigned: [], revoked: ['stuck'] });
    expect(assignments.active().map((row) => row.bookingId)).toEqual(['blocking']);
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageAssignmentRevoked',
        assignment: expect.objectContaining({
          bookingId: 'stuck',
          status: 'RELEASED',
          releaseReason: UNIT_RETIRED,
        }) as unknown,
      },
    ]);
  });

  it('leaves rentals that ended before today alone', async () => {
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' });
    units.add({ code: 'S-002' });
    const ended = assignments.hold('ended', retired, fromToday(-10), fromToday(0));
    expect(await retire(retired)).toEqual({ unitId: retired, reassigned: [], revoked: [] });
    expect(assignments.rows.get(ended)?.status).toBe('ACTIVE');
    expect(assignments.outbox).toEqual([]);
  });

  it('locks the unit, then each booking in one fixed order, the order every use case keeps', async () => {
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' });
    const spare = units.add({ code: 'S-002' });
    const zulu = assignments.hold('zulu', retired, fromToday(1), fromToday(2));
    const alpha = assignments.hold('alpha', retired, fromToday(3), fromToday(4));
    await retire(retired);
    expect(units.locks).toEqual([
      `unit ${retired}`,
      'booking alpha',
      `assignment ${alpha}`,
      `unit ${spare}`,
      'booking zulu',
      `assignment ${zulu}`,
      `unit ${spare}`,
    ]);
    expect(assignments.active()).toHaveLength(2);
  });

  it('leaves a booking that moved or ended between the look-up and its lock to what did it', async () => {
    /** Before the retirement gets each booking's lock, a cancellation releases one, and one moves. */
    class ChangedWhileWaiting extends InMemoryAssignments {
      override async lockBooking(bookingId: string) {
        const [held] = this.active().filter((row) => row.bookingId === bookingId);
        const changed = Assignment.restore(held);
        if (bookingId === 'cancelled') {
          changed.release('CUSTOMER_REQUEST');
        } else {
          changed.supersede();
          const period = RentalPeriod.of(held.startDate, held.endDate);
          await this.insert(
            Assignment.assign({ bookingId, unitId: 'u-elsewhere', unitCode: 'S-009', size: 'S', period }),
          );
        }
        await this.save(changed);
        this.outbox.length = 0;
        return super.lockBooking(bookingId);
      }
    }
    const { units, assignments, retire } = setUp((unitRows) => new ChangedWhileWaiting(unitRows));
    const retired = units.add({ code: 'S-001' });
    units.add({ code: 'S-002' });
    assignments.hold('cancelled', retired, fromToday(1), fromToday(5));
    assignments.hold('moved', retired, fromToday(6), fromToday(9));
    expect(await retire(retired)).toEqual({ unitId: retired, reassigned: [], revoked: [] });
    expect(assignments.active().map((row) => [row.bookingId, row.unitId])).toEqual([
      ['moved', 'u-elsewhere'],
    ]);
    expect(assignments.outbox).toEqual([]);
  });

  it('asks staff to try again, the unit still in service, while a free unit is being claimed', async () => {
    // The handler runs in one transaction: its error rolls the unit's retirement back with it.
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' });
    assignments.heldElsewhere.add(units.add({ code: 'S-002' }));
    assignments.hold('b-1', retired, fromToday(1), fromToday(5));
    const attempt = retire(retired);
    await expect(attempt).rejects.toThrow(StorageBusyError);
    await expect(attempt).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(assignments.writes).toBe(0);
  });

  it('does nothing for a unit already retired; a unit that does not exist is a 404', async () => {
    const { units, assignments, retire } = setUp();
    const retired = units.add({ code: 'S-001' }, 'RETIRED');
    units.add({ code: 'S-002' });
    assignments.hold('b-1', retired, fromToday(1), fromToday(5));
    expect(await retire(retired)).toEqual({ unitId: retired, reassigned: [], revoked: [] });
    expect([units.writes, assignments.writes]).toEqual([0, 0]);
    await expect(retire('no-such-unit')).rejects.toThrow(StorageUnitNotFoundError);
    await expect(retire('no-such-unit')).rejects.toMatchObject({ status: 404 });
  });
});
