import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl } from '../../tools/stack/database-url';
import { RentalApi, uniqueCustomer, uniquePeriod } from '../support/rental-api';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

async function sql<T>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl(stackInfo().postgresServerUrl, database) });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * What booking killed mid-call leaves behind: the charge landed at payment (inserted first: the
 * sweeper may reject the booking the moment it exists, and payment, finding no charge for the
 * rejection, would record a void that the insert after it collided with), and the booking,
 * `ageSeconds` old, still waiting for its outcome under `key`.
 */
async function abandonedMidPayment(ageSeconds: number, key: string) {
  const id = randomUUID();
  const customerId = uniqueCustomer('abandoned');
  const period = uniquePeriod(2);
  await sql(
    'payment',
    `INSERT INTO payment (id, booking_id, customer_id, amount, method, status, created_at)
     VALUES ($1, $2, $3, 6000, 'card', 'APPROVED', now())`,
    [randomUUID(), id, customerId],
  );
  await sql(
    'booking',
    `INSERT INTO booking (id, customer_id, size, start_date, end_date, days, daily_rate, amount, status,
                          idempotency_key, created_at, updated_at)
     VALUES ($1, $2, 'L', $3, $4, 2, 3000, 6000, 'PAYMENT_PENDING', $5, now() - make_interval(secs => $6),
             now() - make_interval(secs => $6))`,
    [id, customerId, period.startDate, period.endDate, key, ageSeconds],
  );
  return { id, customerId, period };
}

/** The saga repairs itself when an outcome never comes back (re-drive) or comes too late. */
describe('saga self-healing', () => {
  let system: System;
  let api: RentalApi;

  beforeAll(async () => {
    system = await System.start({
      label: 'saga-healing',
      services: ['payment', 'storage-assign', 'booking', 'mypage'],
      env: {
        booking: {
          SAGA_REDRIVE_AFTER_MS: '1500',
          SAGA_REDRIVE_INTERVAL_MS: '300',
          AVAILABILITY_TIMEOUT_MS: '200',
          STALE_PAYMENT_GRACE_MS: '5000',
          STALE_PAYMENT_SWEEP_INTERVAL_MS: '300',
          RESUME_PENDING_PAYMENT_AFTER_MS: '1000',
        },
        payment: { PAYMENT_RECONCILE_AFTER_MS: '1000', PAYMENT_RECONCILE_INTERVAL_MS: '300' },
        'storage-assign': { ASSIGNMENT_RECONCILE_AFTER_MS: '1000', ASSIGNMENT_RECONCILE_INTERVAL_MS: '300' },
      },
    });
    api = new RentalApi(system);
    await api.registerUnit('L', 3000);
    await api.waitForPrice('L', 3000);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('re-announces a paid booking whose assignment outcome never came, and it is confirmed', async () => {
    // As if its BookingPlaced had been lost on the way: the row is there, nothing downstream knows it.
    const id = randomUUID();
    const period = uniquePeriod(4);
    await sql(
      'booking',
      `INSERT INTO booking (id, customer_id, size, start_date, end_date, days, daily_rate, amount, status,
                            payment_id, created_at, updated_at)
       VALUES ($1, $2, 'L', $3, $4, 4, 3000, 12000, 'PAID', $5, now() - interval '1 minute', now() - interval '1 minute')`,
      [id, uniqueCustomer('heal'), period.startDate, period.endDate, randomUUID()],
    );
    const confirmed = await api.waitForStatus(id, 'CONFIRMED');
    expect(confirmed.unitCode).toMatch(/^L-/);
    await api.waitForMypage(id, (view) => view.status === 'CONFIRMED', 'CONFIRMED after the re-drive');
    const active = await sql<{ n: number }>(
      'storage_assign',
      `SELECT count(*)::int AS n FROM assignment WHERE booking_id = $1 AND status = 'ACTIVE'`,
      [id],
    );
    expect(active[0].n).toBe(1);
  });

  it('rejects and refunds a paid booking whose start date came without a unit; a late unit is released', async () => {
    const storage = system.service('storage-assign');
    await storage.stop();
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const booked = await api.book({
      customerId: uniqueCustomer('late'),
      size: 'L',
      startDate: today,
      endDate: tomorrow,
    });
    expect(booked.status).toBe(201);
    const rejected = await api.waitForStatus(booked.body.id, 'REJECTED');
    expect(rejected.rejectionReason).toBe('NO_UNIT_AVAILABLE');
    await api.waitForPayment(booked.body.id, 'REFUNDED');

    // storage-assign comes back, assigns from the original BookingPlaced, then releases on the rejection.
    await system.startService('storage-assign');
    await waitFor(
      'the late assignment released',
      () =>
        sql<{ status: string }>('storage_assign', 'SELECT status FROM assignment WHERE booking_id = $1', [
          booked.body.id,
        ]),
      (rows) => rows.length > 0 && rows.every((row) => row.status === 'RELEASED'),
    );
    expect((await api.booking(booked.body.id)).status).toBe('REJECTED');
  });

  it('refunds money and releases a unit kept for a booking that booking rejected, when the event never arrived', async () => {
    // As if BookingRejected had been lost: booking says REJECTED, payment and storage-assign never heard.
    const id = randomUUID();
    const customerId = uniqueCustomer('orphan');
    const period = uniquePeriod(3);
    await sql(
      'booking',
      `INSERT INTO booking (id, customer_id, size, start_date, end_date, days, daily_rate, amount, status,
                            rejection_reason, created_at, updated_at)
       VALUES ($1, $2, 'L', $3, $4, 3, 3000, 9000, 'REJECTED', 'NO_UNIT_AVAILABLE', now(), now())`,
      [id, customerId, period.startDate, period.endDate],
    );
    await sql(
      'payment',
      `INSERT INTO payment (id, booking_id, customer_id, amount, method, status, created_at)
       VALUES ($1, $2, $3, 9000, 'card', 'APPROVED', now() - interval '1 minute')`,
      [randomUUID(), id, customerId],
    );
    const unit = await api.registerUnit('L', 3000);
    await sql(
      'storage_assign',
      `INSERT INTO assignment (id, booking_id, unit_id, unit_code, size, start_date, end_date, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'L', $5, $6, 'ACTIVE', now() - interval '1 minute', now() - interval '1 minute')`,
      [randomUUID(), id, unit.id, unit.code, period.startDate, period.endDate],
    );
    const [payment] = await api.waitForPayment(id, 'REFUNDED');
    expect(payment.amount).toBe(9000);
    await waitFor(
      'the orphaned unit released',
      () =>
        sql<{ status: string }>('storage_assign', 'SELECT status FROM assignment WHERE booking_id = $1', [
          id,
        ]),
      (rows) => rows.length === 1 && rows[0].status === 'RELEASED',
    );
  });

  it("lets the customer's repeat take over a booking its request abandoned mid-payment: 201 PAID, charged once", async () => {
    // 2 s old: past the takeover's 1 s, well before the sweep's 5 s.
    const { id, customerId, period } = await abandonedMidPayment(2, 'resume-key-1');
    const repeat = await api.book(
      { customerId, size: 'L', ...period },
      { 'idempotency-key': 'resume-key-1' },
    );
    expect({ status: repeat.status, id: repeat.body.id, booking: repeat.body.status }).toEqual({
      status: 201,
      id,
      booking: 'PAID',
    });
    await api.waitForStatus(id, 'CONFIRMED');
    // The charge that landed before the crash is the booking's one payment, kept.
    const payments = await api.waitForPayment(id, 'APPROVED');
    expect(payments.map((payment) => payment.amount)).toEqual([6000]);
  });

  it('rejects a booking stuck waiting for its payment outcome (crash mid-call) and refunds the charge that landed', async () => {
    const { id } = await abandonedMidPayment(60, 'stale-key-1');
    const rejected = await api.waitForStatus(id, 'REJECTED');
    expect(rejected.rejectionReason).toBe('PAYMENT_UNAVAILABLE');
    await api.waitForPayment(id, 'REFUNDED');
    // The idempotency key is free again: the customer's retry books anew.
    const [{ key }] = await sql<{ key: string | null }>(
      'booking',
      'SELECT idempotency_key AS key FROM booking WHERE id = $1',
      [id],
    );
    expect(key).toBeNull();
  });
});
