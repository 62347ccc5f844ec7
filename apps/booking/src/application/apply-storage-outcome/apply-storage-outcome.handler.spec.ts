import { RentalPeriod, type UnitOfWork } from '@storage/ddd';
import { Booking, type BookingEvent } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { SagaMetrics } from '../ports/saga-metrics.port';
import { RecentBookings } from '../recent-bookings';
import { ApplyStorageOutcomeCommand, type StorageOutcome } from './apply-storage-outcome.command';
import { ApplyStorageOutcomeHandler } from './apply-storage-outcome.handler';

class RecordedSagaMetrics extends SagaMetrics {
  readonly settledAs: { outcome: 'confirmed' | 'rejected'; placedAt: Date }[] = [];
  settled(outcome: 'confirmed' | 'rejected', placedAt: Date): void {
    this.settledAs.push({ outcome, placedAt });
  }
}

const unitOfWork: UnitOfWork = { run: (work) => work() };
const assigned = (unitId = 'unit-1', unitCode = 'S-001'): StorageOutcome => ({
  kind: 'assigned',
  unitId,
  unitCode,
});

function setUp() {
  const bookings = new InMemoryBookings();
  const metrics = new RecordedSagaMetrics();
  const recent = new RecentBookings();
  const handler = new ApplyStorageOutcomeHandler(bookings, unitOfWork, metrics, recent);
  /** A booking placed and paid by this process, as place-booking leaves it. */
  const paid = async (options: { remembered: boolean }) => {
    const booking = Booking.request({
      customerId: 'alice',
      size: 'S',
      period: RentalPeriod.of('2099-05-01', '2099-05-08'),
      dailyRate: 1000,
      idempotencyKey: null,
    });
    booking.markPaid('pay-1', new Date('2099-01-01T10:00:00Z'));
    await bookings.insert(booking);
    bookings.outbox.length = 0;
    if (options.remembered) {
      recent.remember(booking.snapshot());
    }
    return booking.snapshot();
  };
  const apply = (bookingId: string, outcome: StorageOutcome) =>
    handler.execute(new ApplyStorageOutcomeCommand(bookingId, outcome));
  return { bookings, metrics, recent, paid, apply };
}

const eventTypes = (events: BookingEvent[]) => events.map((event) => event.type);

describe('ApplyStorageOutcomeHandler', () => {
  it('confirms a booking it placed from the copy in hand, without a locked read, and times the saga', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: true });
    expect(await apply(booking.id, assigned())).toBe(true);
    expect(bookings.rows.get(booking.id)).toMatchObject({
      status: 'CONFIRMED',
      unitId: 'unit-1',
      unitCode: 'S-001',
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingConfirmed']);
    expect(bookings.lockedReads).toBe(0);
    expect(metrics.settledAs).toEqual([{ outcome: 'confirmed', placedAt: booking.updatedAt }]);
  });

  it('confirms a booking it does not hold (a restart, another replica) the locked way, alike', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: false });
    expect(await apply(booking.id, assigned())).toBe(true);
    expect(bookings.rows.get(booking.id)?.status).toBe('CONFIRMED');
    expect(eventTypes(bookings.outbox)).toEqual(['BookingConfirmed']);
    expect(bookings.lockedReads).toBe(1);
    expect(metrics.settledAs.map((settled) => settled.outcome)).toEqual(['confirmed']);
  });

  it('changes nothing on a redelivery: no second event, no second timing', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: true });
    await apply(booking.id, assigned());
    const writes = bookings.writes;
    expect(await apply(booking.id, assigned())).toBe(false);
    expect(bookings.writes).toBe(writes);
    expect(eventTypes(bookings.outbox)).toEqual(['BookingConfirmed']);
    expect(metrics.settledAs).toHaveLength(1);
  });

  it('does not confirm a booking cancelled since it was placed, though the copy in hand says PAID', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: true });
    const cancelled = Booking.restore(booking);
    cancelled.cancel('2099-02-01', new Date('2099-01-01T10:00:01Z'));
    await bookings.save(cancelled);
    bookings.outbox.length = 0;

    expect(await apply(booking.id, assigned())).toBe(false);
    expect(bookings.rows.get(booking.id)).toMatchObject({ status: 'CANCELLED', unitId: null });
    expect(bookings.outbox).toEqual([]);
    expect(metrics.settledAs).toEqual([]);
  });

  it('rejects a paid booking no unit could take (payment refunds on BookingRejected), and times it', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: true });
    expect(await apply(booking.id, { kind: 'failed' })).toBe(true);
    expect(bookings.rows.get(booking.id)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'NO_UNIT_AVAILABLE',
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
    expect(metrics.settledAs.map((settled) => settled.outcome)).toEqual(['rejected']);
    // An assignment that comes after the failure (out of order) does not bring it back.
    expect(await apply(booking.id, assigned())).toBe(false);
    expect(bookings.rows.get(booking.id)?.status).toBe('REJECTED');
  });

  it('moves a confirmed booking to its replacement unit, and cancels it when its unit is retired', async () => {
    const { bookings, metrics, paid, apply } = setUp();
    const booking = await paid({ remembered: false });
    await apply(booking.id, assigned('unit-1', 'S-001'));
    expect(await apply(booking.id, assigned('unit-2', 'S-002'))).toBe(true);
    expect(bookings.rows.get(booking.id)).toMatchObject({ status: 'CONFIRMED', unitCode: 'S-002' });
    expect(await apply(booking.id, { kind: 'revoked' })).toBe(true);
    expect(bookings.rows.get(booking.id)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'UNIT_RETIRED',
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingConfirmed', 'BookingConfirmed', 'BookingCancelled']);
    // Only the first step settled the saga.
    expect(metrics.settledAs).toHaveLength(1);
  });

  it('leaves an outcome for a booking it never had alone: nothing written, nothing to retry', async () => {
    const { bookings, apply } = setUp();
    await expect(apply('00000000-0000-4000-8000-000000000000', assigned())).resolves.toBe(false);
    expect(bookings.writes).toBe(0);
  });
});
