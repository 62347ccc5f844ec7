import type { BookingStatusName } from '@storage/contracts';
import { RentalPeriod } from '@storage/ddd';
import { Assignment } from '../../domain';
import { AssignmentRepository } from '../ports/assignment.repository.port';
import { BookingStatuses } from '../ports/booking-statuses.port';
import type { ReleaseStorageHandler } from '../release-storage/release-storage.handler';
import { ReconcileAssignmentsHandler } from './reconcile-assignments.handler';
import { ReconcileAssignmentsCommand } from './reconcile-assignments.command';
import type { ReleaseStorageCommand } from '../release-storage/release-storage.command';

function active(bookingId: string): Assignment {
  return Assignment.assign({
    bookingId,
    unitId: `unit-${bookingId}`,
    unitCode: `S-${bookingId}`,
    size: 'S',
    period: RentalPeriod.of('2040-01-01', '2040-01-05'),
  });
}

describe('ReconcileAssignmentsHandler', () => {
  it('releases units held for bookings booking rejected or cancelled, and stops asking about kept ones', async () => {
    const held = ['rejected', 'cancelled', 'confirmed', 'paid'].map(active);
    const reconciled = new Set<string>();
    const askedAgainLater = new Set<string>();
    const released: string[] = [];
    const assignments = {
      findUnreconciledActiveBefore: () =>
        Promise.resolve(
          held.filter(
            (a) =>
              !reconciled.has(a.bookingId) &&
              !askedAgainLater.has(a.bookingId) &&
              !released.includes(a.bookingId),
          ),
        ),
      markReconciled: (bookingId: string, outcome: 'kept' | 'open') =>
        Promise.resolve(void (outcome === 'kept' ? reconciled : askedAgainLater).add(bookingId)),
    } as unknown as AssignmentRepository;
    const statuses: Record<string, BookingStatusName> = {
      rejected: 'REJECTED',
      cancelled: 'CANCELLED',
      confirmed: 'CONFIRMED',
      paid: 'PAID',
    };
    const bookings = { statusOf: (id: string) => Promise.resolve(statuses[id]) } as BookingStatuses;
    const release = {
      execute: ({ bookingId, reason }: ReleaseStorageCommand) => {
        released.push(bookingId);
        expect(reason).toBe(`BOOKING_${statuses[bookingId]}`);
        return Promise.resolve(true);
      },
    } as Pick<ReleaseStorageHandler, 'execute'> as ReleaseStorageHandler;
    const handler = new ReconcileAssignmentsHandler(assignments, bookings, release);
    expect(await handler.execute(new ReconcileAssignmentsCommand(0))).toBe(2);
    expect(released).toEqual(['rejected', 'cancelled']);
    expect(reconciled).toEqual(new Set(['confirmed']));
    expect(askedAgainLater).toEqual(new Set(['paid']));
    expect(await handler.execute(new ReconcileAssignmentsCommand(0))).toBe(0);
  });
});
