import type { BookingStatusName } from '@storage/contracts';
import type { UnitOfWork } from '@storage/ddd';
import { InMemoryAssignments } from '../ports/assignment.repository.fake';
import { BookingStatuses } from '../ports/booking-statuses.port';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { ReleaseStorageHandler } from '../release-storage/release-storage.handler';
import { ReconcileAssignmentsCommand } from './reconcile-assignments.command';
import { ReconcileAssignmentsHandler } from './reconcile-assignments.handler';

/** Where booking says each booking stands; records who was asked. */
class Statuses extends BookingStatuses {
  readonly asked: string[] = [];
  constructor(private readonly statuses: Record<string, BookingStatusName>) {
    super();
  }
  statusOf(bookingId: string) {
    this.asked.push(bookingId);
    return Promise.resolve(this.statuses[bookingId] ?? null);
  }
}

const unitOfWork: UnitOfWork = { run: (work) => work() };

describe('ReconcileAssignmentsHandler', () => {
  it('releases units held for bookings booking rejected or cancelled, and stops asking about kept ones', async () => {
    const assignments = new InMemoryAssignments(new InMemoryUnits());
    for (const bookingId of ['rejected', 'cancelled', 'confirmed', 'paid', 'unknown']) {
      assignments.hold(bookingId, `unit-${bookingId}`, '2040-01-01', '2040-01-05');
    }
    const statuses = new Statuses({
      rejected: 'REJECTED',
      cancelled: 'CANCELLED',
      confirmed: 'CONFIRMED',
      paid: 'PAID',
    });
    const release = new ReleaseStorageHandler(assignments, unitOfWork);
    const handler = new ReconcileAssignmentsHandler(assignments, statuses, release);
    const now = new Date(Date.now() + 1000);
    assignments.clock = () => now;
    expect(await handler.execute(new ReconcileAssignmentsCommand(0, now))).toBe(2);
    expect(assignments.outbox).toEqual([
      {
        type: 'StorageReleased',
        assignment: expect.objectContaining({
          bookingId: 'rejected',
          releaseReason: 'BOOKING_REJECTED',
        }) as unknown,
      },
      {
        type: 'StorageReleased',
        assignment: expect.objectContaining({
          bookingId: 'cancelled',
          releaseReason: 'BOOKING_CANCELLED',
        }) as unknown,
      },
    ]);
    expect(assignments.active().map((row) => row.bookingId)).toEqual(['confirmed', 'paid', 'unknown']);
    expect(assignments.reconciled.get('confirmed')).toBe('kept');
    // Still in flight, or unknown to booking: untouched, asked again on a later run, not before.
    statuses.asked.length = 0;
    expect(await handler.execute(new ReconcileAssignmentsCommand(0, now))).toBe(0);
    expect(statuses.asked).toEqual([]);
    expect(await handler.execute(new ReconcileAssignmentsCommand(0, new Date(now.getTime() + 1000)))).toBe(0);
    expect(statuses.asked.sort()).toEqual(['paid', 'unknown']);
    expect(assignments.outbox).toHaveLength(2);
  });
});
