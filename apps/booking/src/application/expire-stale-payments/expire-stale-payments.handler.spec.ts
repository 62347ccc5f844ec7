import { RentalPeriod, type UnitOfWork } from '@storage/ddd';
import { Booking, type BookingEvent } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { ExpireStalePaymentsCommand } from './expire-stale-payments.command';
import { ExpireStalePaymentsHandler } from './expire-stale-payments.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };
const NOW = new Date('2099-01-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const GRACE_MS = 5 * 60_000;

/** A booking recorded `minutesAgo` whose payment outcome is not known (the process died). */
async function pending(bookings: InMemoryBookings, createdMinutesAgo: number, key: string | null = null) {
  const booking = Booking.request(
    {
      customerId: 'alice',
      size: 'S',
      period: RentalPeriod.of('2099-03-01', '2099-03-05'),
      dailyRate: 1000,
      idempotencyKey: key,
    },
    minutesAgo(createdMinutesAgo),
  );
  await bookings.insert(booking);
  return booking;
}

const eventTypes = (events: BookingEvent[]) => events.map((event) => event.type);

describe('ExpireStalePaymentsHandler', () => {
  it('rejects a booking whose payment outcome never came within the grace, freeing its key and announcing it', async () => {
    const bookings = new InMemoryBookings();
    const stale = await pending(bookings, 10, 'order-7');
    const handler = new ExpireStalePaymentsHandler(bookings, unitOfWork);

    expect(await handler.execute(new ExpireStalePaymentsCommand(GRACE_MS, NOW))).toBe(1);
    expect(bookings.rows.get(stale.id)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_UNAVAILABLE',
      idempotencyKey: null,
      updatedAt: NOW,
    });
    // Payment refunds or voids whatever was charged for it on this event.
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
    expect(await handler.execute(new ExpireStalePaymentsCommand(GRACE_MS, NOW))).toBe(0);
  });

  it('leaves a payment still within its grace, and bookings whose payment has an outcome, alone', async () => {
    const bookings = new InMemoryBookings();
    const recent = await pending(bookings, 1);
    const paid = await pending(bookings, 60);
    paid.markPaid('pay-1', minutesAgo(59));
    await bookings.save(paid);
    bookings.outbox.length = 0;
    const handler = new ExpireStalePaymentsHandler(bookings, unitOfWork);

    expect(await handler.execute(new ExpireStalePaymentsCommand(GRACE_MS, NOW))).toBe(0);
    expect(bookings.rows.get(recent.id)?.status).toBe('PAYMENT_PENDING');
    expect(bookings.rows.get(paid.id)?.status).toBe('PAID');
    expect(bookings.outbox).toEqual([]);
  });
});
