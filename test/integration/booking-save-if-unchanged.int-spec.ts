import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RentalPeriod } from '@storage/ddd';
import { Outbox } from '@storage/messaging';
import { RowNotFoundError, runInTransaction } from '@storage/persistence';
import { BookingOrmEntity } from '../../apps/booking/src/adapters/out/persistence/booking.orm-entity';
import { BookingTypeormRepository } from '../../apps/booking/src/adapters/out/persistence/booking.typeorm-repository';
import { CatalogueUnitOrmEntity } from '../../apps/booking/src/adapters/out/persistence/catalogue-unit.orm-entity';
import { Booking } from '../../apps/booking/src/domain';
import { BOOKING_MIGRATIONS } from '../../apps/booking/src/migrations';
import { freshServiceDatabase } from '../support/database';
import { waitUntil } from '../support/wait-for';

/**
 * The one-statement save of a copy in hand (Outbox.updateIfUnchanged through booking's
 * repository): written with its events while the row is as the copy saw it, nothing at all once
 * someone else changed it, and never past a concurrent writer's lock. And the locked save
 * (Outbox.update): the row and its events in one statement too.
 */
const PAYMENT_ID = randomUUID();

describe('booking saveIfUnchanged (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshServiceDatabase>>;
  let dataSource: DataSource;
  let bookings: BookingTypeormRepository;

  beforeAll(async () => {
    db = await freshServiceDatabase([BookingOrmEntity, CatalogueUnitOrmEntity], BOOKING_MIGRATIONS);
    dataSource = db.dataSource;
    bookings = new BookingTypeormRepository(dataSource, new Outbox());
  });

  afterAll(() => db.drop());

  async function placed(): Promise<Booking> {
    const booking = Booking.request({
      customerId: 'customer-1',
      size: 'M',
      period: RentalPeriod.of('2041-01-01', '2041-01-10'),
      dailyRate: 5000,
      idempotencyKey: null,
    });
    await bookings.insert(booking);
    return booking;
  }

  const eventsOf = async (bookingId: string) =>
    (
      await dataSource.query<{ event_type: string }[]>(
        'SELECT event_type FROM outbox_message WHERE message_key = $1 ORDER BY id',
        [bookingId],
      )
    ).map((row) => row.event_type);

  it('writes the changed copy and its events in one statement while the row is as the copy saw it', async () => {
    const booking = await placed();
    const seen = booking.snapshot();
    booking.markPaid(PAYMENT_ID);
    await expect(bookings.saveIfUnchanged(booking, seen)).resolves.toBe(true);
    const stored = await bookings.findById(booking.id);
    expect(stored?.snapshot()).toMatchObject({ status: 'PAID', paymentId: PAYMENT_ID });
    expect(await eventsOf(booking.id)).toEqual(['BookingPlaced']);
  });

  it('writes nothing, no row change and no event, once someone else changed the row', async () => {
    const booking = await placed();
    const seen = booking.snapshot();
    // The stale-payment sweeper gives up on it meanwhile.
    await runInTransaction(dataSource, async () => {
      const swept = (await bookings.findById(booking.id, { lock: true }))!;
      swept.abandonPayment();
      await bookings.save(swept);
    });
    const eventsBefore = await eventsOf(booking.id);
    booking.markPaid(randomUUID());
    await expect(bookings.saveIfUnchanged(booking, seen)).resolves.toBe(false);
    expect((await bookings.findById(booking.id))?.snapshot()).toMatchObject({
      status: 'REJECTED',
      paymentId: null,
    });
    expect(await eventsOf(booking.id)).toEqual(eventsBefore);
  });

  it('saves a locked booking and its events in one statement, and refuses a booking without a row', async () => {
    const booking = await placed();
    const written = await runInTransaction(dataSource, async () => {
      const locked = (await bookings.findById(booking.id, { lock: true }))!;
      locked.markPaid(PAYMENT_ID);
      await bookings.save(locked);
      return locked.snapshot();
    });
    expect((await bookings.findById(booking.id))?.snapshot()).toEqual(written);
    expect(await eventsOf(booking.id)).toEqual(['BookingPlaced']);

    const neverInserted = Booking.request({
      customerId: 'customer-1',
      size: 'M',
      period: RentalPeriod.of('2041-02-01', '2041-02-10'),
      dailyRate: 5000,
      idempotencyKey: null,
    });
    neverInserted.markPaid(PAYMENT_ID);
    await expect(runInTransaction(dataSource, () => bookings.save(neverInserted))).rejects.toBeInstanceOf(
      RowNotFoundError,
    );
    expect(await bookings.findById(neverInserted.id)).toBeNull();
    expect(await eventsOf(neverInserted.id)).toEqual([]);
  });

  it('waits for a writer holding the row, then sees its change and writes nothing', async () => {
    const booking = await placed();
    const seen = booking.snapshot();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const sweeper = runInTransaction(dataSource, async () => {
      const swept = (await bookings.findById(booking.id, { lock: true }))!;
      locked();
      await held;
      swept.abandonPayment();
      await bookings.save(swept);
    });
    await lockTaken;
    booking.markPaid(randomUUID());
    const save = bookings.saveIfUnchanged(booking, seen);
    await waitUntil("the one-statement save to wait for the sweeper's row lock", async () => {
      const [row] = await dataSource.query<{ waiting: number }[]>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH written AS%'`,
      );
      return row.waiting === 1;
    });
    release();
    await sweeper;
    await expect(save).resolves.toBe(false);
    expect((await bookings.findById(booking.id))?.status).toBe('REJECTED');
    expect(await eventsOf(booking.id)).toEqual(['BookingRejected']);
  });
});
