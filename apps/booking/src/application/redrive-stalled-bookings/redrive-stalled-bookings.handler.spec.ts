import { RentalPeriod, type UnitOfWork } from '@storage/ddd';
import { Booking, type BookingEvent } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { RedriveStalledBookingsCommand } from './redrive-stalled-bookings.command';
import { RedriveStalledBookingsHandler } from './redrive-stalled-bookings.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };
const NOW = new Date('2099-01-10T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const AFTER_MS = 5 * 60_000;

/** A booking paid `paidMinutesAgo`, starting on `startDate`, that storage-assign never answered. */
async function paid(bookings: InMemoryBookings, paidMinutesAgo: number, startDate = '2099-03-01') {
  const booking = Booking.request(
    {
      customerId: 'alice',
      size: 'S',
      period: RentalPeriod.of(startDate, '2099-03-31'),
      dailyRate: 1000,
      idempotencyKey: null,
    },
    minutesAgo(paidMinutesAgo + 1),
  );
  booking.markPaid('pay-1', minutesAgo(paidMinutesAgo));
  await bookings.insert(booking);
  bookings.outbox.length = 0;
  return booking;
}

const eventTypes = (events: BookingEvent[]) => events.map((event) => event.type);

describe('RedriveStalledBookingsHandler', () => {
  it('announces again a paid booking nobody assigned, then waits its interval before the next try', async () => {
    const bookings = new InMemoryBookings();
    const stalled = await paid(bookings, 10);
    const handler = new RedriveStalledBookingsHandler(bookings, unitOfWork);

    expect(await handler.execute(new RedriveStalledBookingsCommand(AFTER_MS, NOW))).toBe(1);
    expect(bookings.rows.get(stalled.id)).toMatchObject({ status: 'PAID', updatedAt: NOW });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingPlaced']);
    expect(await handler.execute(new RedriveStalledBookingsCommand(AFTER_MS, NOW))).toBe(0);
  });

  it('rejects (and so refunds) a paid booking whose start date came without a unit', async () => {
    const bookings = new InMemoryBookings();
    const stalled = await paid(bookings, 10, '2099-01-10');
    const handler = new RedriveStalledBookingsHandler(bookings, unitOfWork);

    expect(await handler.execute(new RedriveStalledBookingsCommand(AFTER_MS, NOW))).toBe(1);
    expect(bookings.rows.get(stalled.id)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'NO_UNIT_AVAILABLE',
    });
    expect(eventTypes(bookings.outbox)).toEqual(['BookingRejected']);
  });

  it('leaves a booking paid within the interval, and a confirmed one, alone', async () => {
    const bookings = new InMemoryBookings();
    const recent = await paid(bookings, 1);
    const confirmed = await paid(bookings, 60);
    confirmed.assignUnit('unit-1', 'S-001', minutesAgo(59));
    await bookings.save(confirmed);
    bookings.outbox.length = 0;
    const handler = new RedriveStalledBookingsHandler(bookings, unitOfWork);

    expect(await handler.execute(new RedriveStalledBookingsCommand(AFTER_MS, NOW))).toBe(0);
    expect(bookings.rows.get(recent.id)?.status).toBe('PAID');
    expect(bookings.rows.get(confirmed.id)?.status).toBe('CONFIRMED');
    expect(bookings.outbox).toEqual([]);
  });
});
