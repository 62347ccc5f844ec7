import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CURRENCY, PaymentApproved } from '@storage/contracts';
import {
  InboxMessageOrmEntity,
  MESSAGING_MIGRATIONS,
  Outbox,
  OutboxMessageOrmEntity,
} from '@storage/messaging';
import { insertOrGetExisting, runInTransaction } from '@storage/persistence';
import { PaymentOrmEntity } from '../../apps/payment/src/adapters/out/persistence/payment.orm-entity';
import { CreatePayment1763700000100 } from '../../apps/payment/src/migrations/1763700000100-create-payment';
import { PaymentIntents1764600000100 } from '../../apps/payment/src/migrations/1764600000100-payment-intents';
import { freshDatabase } from '../support/database';

describe('insertOrGetExisting (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataSource: DataSource;
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await freshDatabase({
      entities: [PaymentOrmEntity, OutboxMessageOrmEntity, InboxMessageOrmEntity],
      migrations: [...MESSAGING_MIGRATIONS, CreatePayment1763700000100, PaymentIntents1764600000100],
    });
    dataSource = db.dataSource;
  });

  afterAll(() => db.drop());

  const paymentRow = (bookingId: string, amount = 1000): PaymentOrmEntity =>
    Object.assign(new PaymentOrmEntity(), {
      id: randomUUID(),
      bookingId,
      customerId: 'customer-1',
      amount,
      method: 'card',
      status: 'PENDING',
      declineReason: null,
      refundReason: null,
      createdAt: new Date(),
      refundedAt: null,
    });
  const approved = (row: PaymentOrmEntity) => ({
    definition: PaymentApproved,
    correlationId: row.bookingId,
    payload: {
      paymentId: row.id,
      bookingId: row.bookingId,
      customerId: row.customerId,
      amount: row.amount,
      currency: CURRENCY,
      method: row.method,
    },
  });
  const insertOnly = (row: PaymentOrmEntity, withEvent: boolean) =>
    insertOrGetExisting({
      dataSource,
      target: PaymentOrmEntity,
      row,
      existing: { bookingId: row.bookingId },
      events: withEvent
        ? { count: 1, append: (manager) => outbox.appendAll(manager, [approved(row)]) }
        : { count: 0, append: () => Promise.resolve() },
    });
  /** A row alone is one statement; with its events it is written in a unit of work, as use cases do. */
  const insert = (row: PaymentOrmEntity, withEvent = false) =>
    withEvent ? runInTransaction(dataSource, () => insertOnly(row, true)) : insertOnly(row, false);
  const outboxRows = async (bookingId: string) =>
    (
      await dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM outbox_message WHERE message_key = $1`,
        [bookingId],
      )
    )[0].count;

  it('inserts a new row, and returns the row already there for the same unique key', async () => {
    const bookingId = randomUUID();
    const first = paymentRow(bookingId, 1000);
    await expect(insert(first)).resolves.toEqual({ row: first, inserted: true });

    const again = await insert(paymentRow(bookingId, 2000));
    expect(again.inserted).toBe(false);
    expect(again.row).toMatchObject({ id: first.id, amount: 1000 });
  });

  it('writes the events with the row, and none when the row was already there', async () => {
    const bookingId = randomUUID();
    await expect(insert(paymentRow(bookingId), true)).resolves.toMatchObject({ inserted: true });
    expect(await outboxRows(bookingId)).toBe(1);
    await expect(insert(paymentRow(bookingId), true)).resolves.toMatchObject({ inserted: false });
    expect(await outboxRows(bookingId)).toBe(1);
  });

  it('refuses to write a row with events outside a unit of work', async () => {
    const bookingId = randomUUID();
    await expect(insertOnly(paymentRow(bookingId), true)).rejects.toThrow('must run inside a unit of work');
    await expect(dataSource.getRepository(PaymentOrmEntity).countBy({ bookingId })).resolves.toBe(0);
  });

  it('gives racing inserts of one key one row, and each of them that row', async () => {
    const bookingId = randomUUID();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => insert(paymentRow(bookingId), true)));
    expect(results.filter((result) => result.inserted)).toHaveLength(1);
    expect(new Set(results.map((result) => result.row.id)).size).toBe(1);
    expect(await outboxRows(bookingId)).toBe(1);
  });

  it('joins the surrounding transaction, even for a row without events: a rollback takes it back', async () => {
    const bookingId = randomUUID();
    await expect(
      runInTransaction(dataSource, async () => {
        await insert(paymentRow(bookingId));
        throw new Error('the use case failed after the insert');
      }),
    ).rejects.toThrow('the use case failed after the insert');
    await expect(dataSource.getRepository(PaymentOrmEntity).countBy({ bookingId })).resolves.toBe(0);
  });
});
