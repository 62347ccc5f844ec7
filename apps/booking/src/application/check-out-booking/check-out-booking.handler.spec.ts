import { RentalPeriod, todayUtc, TRUSTED, type Actor, type UnitOfWork } from '@storage/ddd';
import { Booking, BookingNotFoundError, BookingStateError } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { CheckOutBookingCommand } from './check-out-booking.command';
import { CheckOutBookingHandler } from './check-out-booking.handler';

const alice: Actor = { kind: 'customer', customerId: 'alice' };
const bob: Actor = { kind: 'customer', customerId: 'bob' };
const unitOfWork: UnitOfWork = { run: (work) => work() };

function setUp() {
  const bookings = new InMemoryBookings();
  const handler = new CheckOutBookingHandler(bookings, unitOfWork);
  /** Alice's booking of a unit from `startDate`, confirmed unless told otherwise. */
  const booked = async (startDate: string, confirmed = true) => {
    const booking = Booking.request({
      customerId: 'alice',
      size: 'M',
      period: RentalPeriod.of('2099-01-01', '2099-12-31'),
      dailyRate: 1000,
      idempotencyKey: null,
    });
    booking.markPaid('pay-1');
    if (confirmed) {
      booking.assignUnit('unit-7', 'M-007');
    }
    // Its rental starts on `startDate` (a booking cannot be requested in the past).
    await bookings.insert(Booking.restore({ ...booking.snapshot(), startDate }));
    bookings.outbox.length = 0;
    return booking.id;
  };
  const checkOut = (bookingId: string, actor: Actor) =>
    handler.execute(new CheckOutBookingCommand(bookingId, actor));
  return { bookings, booked, checkOut };
}

const daysFromToday = (days: number) => todayUtc(new Date(Date.now() + days * 86_400_000));

describe('CheckOutBookingHandler', () => {
  it.each([
    ['the customer', alice],
    ['staff', TRUSTED],
  ])(
    'completes a started rental for %s, with BookingCompleted (the unit goes to inspection)',
    async (_who, actor) => {
      const { bookings, booked, checkOut } = setUp();
      const id = await booked(daysFromToday(-3));
      expect(await checkOut(id, actor)).toMatchObject({ id, status: 'COMPLETED', unitId: 'unit-7' });
      expect(bookings.rows.get(id)?.status).toBe('COMPLETED');
      expect(bookings.outbox.map((event) => event.type)).toEqual(['BookingCompleted']);
    },
  );

  it('checks out on the first day of the rental, not before it', async () => {
    const { bookings, booked, checkOut } = setUp();
    const today = await booked(daysFromToday(0));
    const tomorrow = await booked(daysFromToday(1));
    expect(await checkOut(today, alice)).toMatchObject({ status: 'COMPLETED' });
    const early = checkOut(tomorrow, alice);
    await expect(early).rejects.toThrow(BookingStateError);
    await expect(early).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('the rental starts on') as unknown,
    });
    expect(bookings.rows.get(tomorrow)?.status).toBe('CONFIRMED');
  });

  it('refuses a booking without a unit, or checked out already, naming its state', async () => {
    const { bookings, booked, checkOut } = setUp();
    const paid = await booked(daysFromToday(-1), false);
    const done = await booked(daysFromToday(-1));
    await checkOut(done, alice);
    bookings.outbox.length = 0;
    await expect(checkOut(paid, alice)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('PAID') as unknown,
    });
    await expect(checkOut(done, alice)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('COMPLETED') as unknown,
    });
    expect(bookings.outbox).toEqual([]);
  });

  it("treats another customer's booking as one that does not exist", async () => {
    const { bookings, booked, checkOut } = setUp();
    const id = await booked(daysFromToday(-1));
    await expect(checkOut(id, bob)).rejects.toThrow(BookingNotFoundError);
    await expect(checkOut('no-such-booking', alice)).rejects.toMatchObject({ status: 404 });
    expect(bookings.rows.get(id)?.status).toBe('CONFIRMED');
  });
});
