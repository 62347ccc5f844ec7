import { Client } from 'pg';
import { databaseUrl } from '../../tools/stack/database-url';
import { RentalApi, uniqueCustomer, uniquePeriod } from '../support/rental-api';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';

/** How long booking's database is gone in the test: less than booking's patience (5 s default). */
const OUTAGE_MS = 3000;

/**
 * A booking whose payment is approved while booking's own database is briefly unreachable (a
 * restart, a failover): the money is taken, so recording it waits the outage out and the
 * customer gets their booking, instead of a 503 and a refund some minutes later.
 */
describe("a paid booking through a blip of booking's database", () => {
  let system: System;
  let api: RentalApi;
  let proxy: TcpProxy;
  const bookingDb = databaseUrl(stackInfo().postgresServerUrl, 'booking');

  beforeAll(async () => {
    const server = new URL(stackInfo().postgresServerUrl);
    proxy = new TcpProxy(server.hostname, Number(server.port));
    await proxy.start();
    system = await System.start({
      label: 'database-blip',
      services: ['payment', 'storage-assign', 'booking'],
      env: {
        // Long enough for the outage to start while the charge is on its way.
        payment: { PAYMENT_LATENCY_MS: '1500' },
        booking: {
          DATABASE_URL: proxy.urlFor(bookingDb),
          PAYMENT_TIMEOUT_MS: '5000',
        },
      },
    });
    api = new RentalApi(system);
    await api.registerUnit('S', 1500);
    await api.waitForPrice('S', 1500);
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
    await proxy?.cut();
  });

  /** The booking's status as its table holds it, read past the proxy. */
  async function statusOf(customerId: string): Promise<string | undefined> {
    const client = new Client({ connectionString: bookingDb });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string }>(
        'SELECT status FROM booking WHERE customer_id = $1',
        [customerId],
      );
      return rows[0]?.status;
    } finally {
      await client.end();
    }
  }

  it('is recorded once the database is back: 201 PAID, then CONFIRMED, its payment kept', async () => {
    const customerId = uniqueCustomer('blip');
    const answer = api.book({ customerId, size: 'S', ...uniquePeriod(4) });
    // Written and waiting for payment: the database goes away while the charge is under way.
    await waitFor(
      'the booking written, its payment under way',
      () => statusOf(customerId),
      (status) => status === 'PAYMENT_PENDING',
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    await proxy.cut();
    // The fault's length, not a wait for a condition: the outage itself is what is being tested.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await proxy.restore();

    const booked = await answer;
    expect({ status: booked.status, booking: booked.body.status, error: booked.body.error }).toEqual({
      status: 201,
      booking: 'PAID',
      error: undefined,
    });
    await api.waitForStatus(booked.body.id, 'CONFIRMED');
    const [payment] = await api.waitForPayment(booked.body.id, 'APPROVED');
    expect(payment.amount).toBe(booked.body.amount);
  });
});
