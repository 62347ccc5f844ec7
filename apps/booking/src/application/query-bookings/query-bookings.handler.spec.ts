import { RentalPeriod, TRUSTED, type Actor } from '@storage/ddd';
import { Booking, BookingNotFoundError } from '../../domain';
import { InMemoryBookings } from '../ports/booking.repository.fake';
import { QueryBookingsHandler } from './query-bookings.handler';

const alice: Actor = { kind: 'customer', customerId: 'alice' };

async function seeded() {
  const bookings = new InMemoryBookings();
  const place = async (customerId: string, minute: number, paid: boolean) => {
    const booking = Booking.request(
      {
        customerId,
        size: 'S',
        period: RentalPeriod.of('2099-03-01', '2099-03-05'),
        dailyRate: 1000,
        idempotencyKey: null,
      },
      new Date(Date.UTC(2099, 0, 1, 0, minute)),
    );
    if (paid) {
      booking.markPaid('pay-1');
    }
    await bookings.insert(booking);
    return booking.id;
  };
  const ids = {
    aliceOld: await place('alice', 1, true),
    bob: await place('bob', 2, true),
    aliceNew: await place('alice', 3, false),
  };
  return { handler: new QueryBookingsHandler(bookings), ids };
}

describe('QueryBookingsHandler', () => {
  it('shows a customer only their own bookings, newest first, whatever customer they ask for', async () => {
    const { handler, ids } = await seeded();
    const own = await handler.list({ limit: 10, offset: 0 }, alice);
    expect(own.map((booking) => booking.id)).toEqual([ids.aliceNew, ids.aliceOld]);
    const askedForBob = await handler.list({ customerId: 'bob', limit: 10, offset: 0 }, alice);
    expect(askedForBob.map((booking) => booking.id)).toEqual([ids.aliceNew, ids.aliceOld]);
  });

  it("says another customer's booking does not exist, and shows staff anyone's", async () => {
    const { handler, ids } = await seeded();
    await expect(handler.byId(ids.bob, alice)).rejects.toBeInstanceOf(BookingNotFoundError);
    expect((await handler.byId(ids.bob, TRUSTED)).customerId).toBe('bob');
    expect((await handler.byId(ids.aliceOld, alice)).status).toBe('PAID');
  });

  it('lets staff list everyone, one customer or one status, a page at a time', async () => {
    const { handler, ids } = await seeded();
    const everyone = await handler.list({ limit: 10, offset: 0 }, TRUSTED);
    expect(everyone.map((booking) => booking.id)).toEqual([ids.aliceNew, ids.bob, ids.aliceOld]);
    const bobs = await handler.list({ customerId: 'bob', limit: 10, offset: 0 }, TRUSTED);
    expect(bobs.map((booking) => booking.id)).toEqual([ids.bob]);
    const pending = await handler.list({ status: 'PAYMENT_PENDING', limit: 10, offset: 0 }, TRUSTED);
    expect(pending.map((booking) => booking.id)).toEqual([ids.aliceNew]);
    const second = await handler.list({ limit: 1, offset: 1 }, TRUSTED);
    expect(second.map((booking) => booking.id)).toEqual([ids.bob]);
  });
});
