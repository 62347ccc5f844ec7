import { RentalPeriod, todayUtc, TRUSTED, type Actor, type UnitOfWork } from '@storage/ddd';
import { Booking, BookingNotFoundError, BookingStateError, type BookingEvent } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { CancelBookingCommand } from './cancel-booking.command';
import { CancelBookingHandler } from './cancel-booking.handler';

const alice: Actor = { kind: 'customer', customerId: 'alice' };
const bob: Actor = { kind: 'customer', customerId: 'bob' };

/** Counts transactions (the in-memory rows need no rollback: each write is whole). */
class CountingUnitOfWork implements UnitOfWork {
  transactions = 0;
  run<T>(work: () => Promise<T>): Promise<T> {
    this.transactions += 1;
    return work();
  }
}

function setUp() {
  const bookings = new InMemoryBookings();
  const unitOfWork = new CountingUnitOfWork();
  const handler = new CancelBookingHandler(bookings, unitOfWork);
  /** Alice's booking, paid (and confirmed when a unit is given) from `startDate`. */
  const booked = async (startDate: string, unit?: string) => {
    const booking = Booking.request({
      customerId: 'alice',
      size: 'M',
      period: RentalPeriod.of(startDate, '2099-12-31'),
      dailyRate: 1000,
      idempotencyKey: null,
    });
    booking.markPaid('pay-1');
    if (unit) {
      booking.assignUnit(unit, 'M-001');
    }
    await bookings.insert(booking);
    bookings.outbox.length = 0;
    return booking.id;
  };
  const cancel = (bookingId: string, actor: Actor) =>
    handler.execute(new CancelBookingCommand(bookingId, actor));
  return { bookings, unitOfWork, booked, cancel };
}

const eventTypes = (events: BookingEvent[]) => events.map((event) => event.type);

describe('CancelBookingHandler', () => {
  it.each([
    ['a paid booking', undefined],
    ['a confirmed booking', 'unit-7'],
  ])(
    "cancels the customer's own %s before its start, in one transaction with BookingCancelled",
    async (_what, unit) => {
      const { bookings, unitOfWork, booked, cancel } = setUp();
      const id = await booked('2099-06-01', unit);
      const cancelled = await cancel(id, alice);
      expect(cancelled).toMatchObject({ id, status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });
      expect(bookings.rows.get(id)?.status).toBe('CANCELLED');
      // The event storage-assign releases the unit on and payment refunds on.
      expect(eventTypes(bookings.outbox)).toEqual(['BookingCancelled']);
      expect(unitOfWork.transactions).toBe(1);
      expect(bookings.lockedReads).toBe(1);
    },
  );

  it("says another customer's booking does not exist, and changes nothing", async () => {
    const { bookings, booked, cancel } = setUp();
    const id = await booked('2099-06-01');
    const refused = cancel(id, bob);
    await expect(refused).rejects.toBeInstanceOf(BookingNotFoundError);
    await expect(refused).rejects.toMatchObject({ status: 404 });
    expect(bookings.rows.get(id)?.status).toBe('PAID');
    expect(bookings.outbox).toEqual([]);
  });

  it('lets staff cancel any booking', async () => {
    const { booked, cancel } = setUp();
    const id = await booked('2099-06-01');
    expect((await cancel(id, TRUSTED)).status).toBe('CANCELLED');
  });

  it('refuses once the rental has started (409, naming the start), and a second cancellation', async () => {
    const { bookings, booked, cancel } = setUp();
    const started = await booked(todayUtc());
    const late = cancel(started, alice);
    await expect(late).rejects.toBeInstanceOf(BookingStateError);
    await expect(late).rejects.toThrow(/started on/);
    expect(bookings.rows.get(started)?.status).toBe('PAID');

    const id = await booked('2099-06-01');
    await cancel(id, alice);
    await expect(cancel(id, alice)).rejects.toBeInstanceOf(BookingStateError);
    expect(eventTypes(bookings.outbox)).toEqual(['BookingCancelled']);
  });

  it('says an unknown booking does not exist', async () => {
    const { cancel } = setUp();
    await expect(cancel('00000000-0000-4000-8000-000000000000', alice)).rejects.toBeInstanceOf(
      BookingNotFoundError,
    );
  });
});
