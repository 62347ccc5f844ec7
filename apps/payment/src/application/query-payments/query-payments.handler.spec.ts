import { TRUSTED, type Actor } from '@storage/ddd';
import { Payment, PaymentNotFoundError } from '../../domain';
import { InMemoryPayments } from '../ports/payment.repository.fake';
import { QueryPaymentsHandler } from './query-payments.handler';

const alice: Actor = { kind: 'customer', customerId: 'alice' };

async function seeded() {
  const payments = new InMemoryPayments();
  const charge = async (bookingId: string, customerId: string, minute: number) => {
    const payment = Payment.restore({
      ...Payment.intend({ bookingId, customerId, amount: 7000, method: 'card' }).snapshot(),
      createdAt: new Date(Date.UTC(2099, 0, 1, 0, minute)),
    });
    payment.settle({ approved: true });
    await payments.save(payment);
    return payment.id;
  };
  const ids = {
    aliceOld: await charge('b-alice-old', 'alice', 1),
    bob: await charge('b-bob', 'bob', 2),
    aliceNew: await charge('b-alice-new', 'alice', 3),
  };
  return { handler: new QueryPaymentsHandler(payments), ids };
}

const page = { limit: 10, offset: 0 };

describe('QueryPaymentsHandler', () => {
  it('shows a customer only their own payments, newest first, whatever customer they ask for', async () => {
    const { handler, ids } = await seeded();
    const own = await handler.list(page, alice);
    expect(own.map((payment) => payment.id)).toEqual([ids.aliceNew, ids.aliceOld]);
    const askedForBob = await handler.list({ ...page, customerId: 'bob' }, alice);
    expect(askedForBob.map((payment) => payment.id)).toEqual([ids.aliceNew, ids.aliceOld]);
    // Another customer's booking's payment is simply not among theirs.
    expect(await handler.list({ ...page, bookingId: 'b-bob' }, alice)).toEqual([]);
  });

  it("says another customer's payment does not exist, and shows staff anyone's", async () => {
    const { handler, ids } = await seeded();
    const hidden = handler.byId(ids.bob, alice);
    await expect(hidden).rejects.toBeInstanceOf(PaymentNotFoundError);
    await expect(hidden).rejects.toMatchObject({ status: 404 });
    expect((await handler.byId(ids.bob, TRUSTED)).customerId).toBe('bob');
    expect((await handler.byId(ids.aliceOld, alice)).status).toBe('APPROVED');
  });

  it('lists everyone for staff, by customer or booking when asked, a page at a time', async () => {
    const { handler, ids } = await seeded();
    expect((await handler.list(page, TRUSTED)).map((payment) => payment.id)).toEqual([
      ids.aliceNew,
      ids.bob,
      ids.aliceOld,
    ]);
    expect(
      (await handler.list({ ...page, customerId: 'bob' }, TRUSTED)).map((payment) => payment.id),
    ).toEqual([ids.bob]);
    expect(
      (await handler.list({ ...page, bookingId: 'b-alice-old' }, TRUSTED)).map((payment) => payment.id),
    ).toEqual([ids.aliceOld]);
    expect((await handler.list({ limit: 1, offset: 1 }, TRUSTED)).map((payment) => payment.id)).toEqual([
      ids.bob,
    ]);
  });
});
