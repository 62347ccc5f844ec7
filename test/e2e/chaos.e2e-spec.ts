import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { deadLetterTopicFor, Topics } from '@storage/contracts';
import { databaseUrl } from '../../tools/stack/database-url';
import { startKafka, type KafkaHandle } from '../../tools/stack/kafka';
import type { ServiceName } from '../../tools/stack/services';
import { http } from '../support/http';
import { PostgresProcess } from '../support/postgres-process';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const TERMINAL = new Set(['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED']);
/** Few units, many periods: units seldom run out, and when they do the booking is refused or refunded. */
const UNITS_PER_SIZE = 3;
const WINDOWS = 300;
const CLIENTS = 3;
/** Between a client's bookings: the load must last as long as the faults do. */
const THINK_MS = 1000;
const MAX_BOOKINGS = 1000;

interface Outcome {
  key: string;
  bookingId?: string;
  accepted: boolean;
  cancelled: boolean;
}

function window(index: number): { startDate: string; endDate: string } {
  const start = Date.UTC(2100, 0, 1) + index * 8 * 86_400_000;
  return {
    startDate: new Date(start).toISOString().slice(0, 10),
    endDate: new Date(start + 7 * 86_400_000).toISOString().slice(0, 10),
  };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Load with idempotent client retries while, in turn, every service is killed with SIGKILL, the
 * database server is stopped for 30 s and started again, then frozen (SIGSTOP) for 15 s, and the
 * Kafka broker is frozen for 15 s, then stopped and restarted; storage-assign, payment and mypage run two replicas sharing their consumer groups.
 * Afterwards every invariant of the saga must hold and no valid message may sit in a DLQ.
 * Postgres and Kafka are the suite's own: stopping them must not disturb the other suites.
 */
describe('chaos: nothing is lost under infrastructure faults', () => {
  let postgres: PostgresProcess;
  let kafka: KafkaHandle;
  let system: System;
  const db = (name: string) => databaseUrl(postgres.serverUrl, name);
  const log = (line: string) => process.stdout.write(`[chaos] ${line}\n`);

  beforeAll(async () => {
    const dataDir = join(stackInfo().dataDir, `chaos-${process.pid}`);
    [postgres, kafka] = await Promise.all([
      PostgresProcess.start(join(dataDir, 'postgres')),
      startKafka({ dataDir: join(dataDir, 'kafka'), own: true, log: () => undefined }),
    ]);
    system = await System.start({
      label: 'chaos',
      services: ['payment', 'storage-assign', 'booking', 'mypage'],
      infra: { brokers: kafka.brokers, postgresServerUrl: postgres.serverUrl, dataDir },
      replicas: { payment: 2, 'storage-assign': 2, mypage: 2 },
      env: {
        booking: {
          AVAILABILITY_TIMEOUT_MS: '200',
          STALE_PAYMENT_GRACE_MS: '10000',
          STALE_PAYMENT_SWEEP_INTERVAL_MS: '2000',
        },
      },
    });
    for (const size of ['S', 'M'] as const) {
      for (let unit = 0; unit < UNITS_PER_SIZE; unit += 1) {
        const response = await http('POST', `${system.url('storage-assign')}/storage-units`, {
          body: { code: `CHAOS-${size}-${unit}`, size, dailyRate: 1000 + unit * 100 },
        });
        expect(response.status).toBe(201);
      }
    }
    await waitFor(
      'booking to price both sizes',
      () =>
        Promise.all(
          ['S', 'M'].map((size) =>
            http<{ dailyRate: number }>(
              'GET',
              `${system.url('booking')}/quotes?size=${size}&startDate=2100-01-01&endDate=2100-01-02`,
            ),
          ),
        ),
      (quotes) => quotes.every((quote) => quote.status === 200 && quote.body.dailyRate >= 1200),
    );
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
    await kafka?.stop();
    await postgres?.stop();
  });

  /** One customer: books with an Idempotency-Key, retrying every failure until an answer is final. */
  async function client(id: number, outcomes: Outcome[], done: () => boolean): Promise<void> {
    for (let n = 0; !done() && outcomes.length < MAX_BOOKINGS; n += 1) {
      const outcome: Outcome = { key: `chaos-${id}-${n}-${randomUUID()}`, accepted: false, cancelled: false };
      outcomes.push(outcome);
      const body = {
        customerId: `chaos-${id}`,
        size: randomInt(2) === 0 ? 'S' : 'M',
        ...window(randomInt(WINDOWS)),
      };
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        const response = await http<{ id?: string; status?: string }>(
          'POST',
          `${system.url('booking')}/bookings`,
          {
            body,
            headers: { 'idempotency-key': outcome.key },
            timeoutMs: 10_000,
          },
        ).catch(() => undefined);
        if (response && response.status < 500) {
          outcome.bookingId = response.body.id;
          outcome.accepted = response.body.status === 'PAID' || response.body.status === 'CONFIRMED';
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      // Every fifth accepted booking is cancelled again, through the faults as well.
      if (outcome.accepted && outcome.bookingId && n % 5 === 0) {
        while (Date.now() < deadline) {
          const response = await http(
            'POST',
            `${system.url('booking')}/bookings/${outcome.bookingId}/cancel`,
            {
              body: { customerId: `chaos-${id}` },
              timeoutMs: 10_000,
            },
          ).catch(() => undefined);
          if (response && response.status < 500) {
            outcome.cancelled = response.status === 200;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    }
  }

  async function kill(name: ServiceName, replica = false): Promise<void> {
    const process = replica
      ? system.replicas.find((candidate) => candidate.name === name)!
      : system.service(name);
    log(`SIGKILL ${name}${replica ? ' (replica)' : ''}`);
    await process.stop('SIGKILL');
    process.start();
    await process.waitReady();
  }

  it('keeps every invariant through kill -9 of each service, Postgres down 30 s, then frozen 15 s, Kafka frozen 15 s and restarted', async () => {
    const outcomes: Outcome[] = [];
    let faultsDone = false;
    const load = Promise.all(
      Array.from({ length: CLIENTS }, (_, id) => client(id, outcomes, () => faultsDone)),
    );
    const accepted = () => outcomes.filter((outcome) => outcome.accepted).length;
    await waitFor(
      'the first bookings',
      () => Promise.resolve(accepted()),
      (count) => count >= 5,
      {
        timeoutMs: 60_000,
      },
    );

    /** Runs a fault, then waits for a booking accepted after it: the system took it in its stride. */
    const survives = async (what: string, fault: () => Promise<void>, timeoutMs = 60_000) => {
      const before = accepted();
      await fault();
      await waitFor(
        `a booking accepted after ${what}`,
        () => Promise.resolve(accepted()),
        (count) => count > before,
        { timeoutMs },
      );
    };

    await kill('storage-assign');
    await kill('mypage', true);
    await survives('Postgres was down', async () => {
      log('Postgres stopped for 30 s');
      await postgres.stop();
      // The fault's length, not a wait for a condition: the outage itself is what is being tested.
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      await postgres.start();
      log('Postgres started again');
    });
    // Frozen, not down: every connection open and none answering, as a server stalled on its disk.
    await survives('Postgres was frozen', async () => {
      log('Postgres frozen for 15 s');
      await postgres.freeze(15_000);
      log('Postgres running again');
    });
    await survives('the broker was frozen', async () => {
      log('Kafka broker frozen for 15 s');
      await kafka.freeze!(15_000);
      log('Kafka broker running again');
    });
    await survives(
      'the Kafka restart and the kills',
      async () => {
        log('Kafka broker stopped');
        await kafka.stop();
        await kafka.restart!();
        log('Kafka broker restarted');
        await kill('payment');
        await kill('booking');
        await kill('storage-assign', true);
        await kill('mypage');
      },
      90_000,
    );
    faultsDone = true;
    await load;
    log(`${outcomes.length} bookings tried, ${accepted()} accepted`);

    const every = async () => {
      const [bookings, views, payments] = await Promise.all([
        query<{ id: string; status: string; amount: string }>(
          db('booking'),
          'SELECT id, status, amount FROM booking',
        ),
        query<{ booking_id: string; status: string | null }>(
          db('mypage'),
          'SELECT booking_id, status FROM booking_view',
        ),
        query<{ booking_id: string; status: string; amount: string }>(
          db('payment'),
          'SELECT booking_id, status, amount FROM payment',
        ),
      ]);
      return { bookings, views, payments };
    };
    /** What still disagrees: the failure message names it instead of dumping every row. */
    const unsettled = ({ bookings, views, payments }: Awaited<ReturnType<typeof every>>) => {
      const viewOf = new Map(views.map((view) => [view.booking_id, view.status]));
      const paymentOf = new Map(payments.map((payment) => [payment.booking_id, payment.status]));
      return bookings
        .filter(
          (booking) =>
            !TERMINAL.has(booking.status) ||
            viewOf.get(booking.id) !== booking.status ||
            (booking.status === 'CONFIRMED') !== (paymentOf.get(booking.id) === 'APPROVED'),
        )
        .map((booking) => ({
          id: booking.id,
          booking: booking.status,
          mypage: viewOf.get(booking.id),
          payment: paymentOf.get(booking.id),
        }));
    };
    const settled = await waitFor(
      'every booking terminal, its payment settled and my page agreeing',
      async () => {
        const state = await every();
        return { ...state, unsettled: unsettled(state) };
      },
      (state) => state.unsettled.length === 0,
      { timeoutMs: 150_000, intervalMs: 1000 },
    ).catch(async (error: unknown) => {
      const left = unsettled(await every());
      throw new Error(
        `${error instanceof Error ? error.message.slice(0, 200) : String(error)}... ${left.length} bookings unsettled: ${JSON.stringify(left.slice(0, 20))}`,
      );
    });

    const { bookings, views, payments } = settled;
    const byId = new Map(bookings.map((booking) => [booking.id, booking]));
    // Every booking a client was told is accepted exists and ended terminal.
    for (const outcome of outcomes.filter((candidate) => candidate.accepted)) {
      expect(TERMINAL.has(byId.get(outcome.bookingId!)?.status ?? 'missing')).toBe(true);
    }
    for (const outcome of outcomes.filter((candidate) => candidate.cancelled)) {
      expect(byId.get(outcome.bookingId!)?.status).toBe('CANCELLED');
    }
    expect(bookings.filter((booking) => booking.status === 'CONFIRMED').length).toBeGreaterThan(0);
    expect(bookings.filter((booking) => booking.status === 'CANCELLED').length).toBeGreaterThan(0);

    // Money kept equals the confirmed bookings' amounts; no approved payment without a kept booking.
    const kept = payments.filter((payment) => payment.status === 'APPROVED');
    const confirmed = bookings.filter((booking) => booking.status === 'CONFIRMED');
    expect(kept.reduce((sum, payment) => sum + Number(payment.amount), 0)).toBe(
      confirmed.reduce((sum, booking) => sum + Number(booking.amount), 0),
    );
    for (const payment of kept) {
      expect(byId.get(payment.booking_id)?.status).toBe('CONFIRMED');
    }
    // One payment per booking.
    expect(new Set(payments.map((payment) => payment.booking_id)).size).toBe(payments.length);
    // My page equals booking for every booking.
    expect(views.length).toBe(bookings.length);

    // No unit double-booked; every confirmed booking holds exactly one unit, no other booking any.
    const overlaps = await query<{ n: number }>(
      db('storage_assign'),
      `SELECT count(*)::int AS n FROM assignment a JOIN assignment b
         ON a.unit_id = b.unit_id AND a.id < b.id AND a.period && b.period
       WHERE a.status = 'ACTIVE' AND b.status = 'ACTIVE'`,
    );
    expect(overlaps[0].n).toBe(0);
    const active = await query<{ booking_id: string }>(
      db('storage_assign'),
      `SELECT booking_id FROM assignment WHERE status = 'ACTIVE'`,
    );
    expect(active.map((row) => row.booking_id).sort()).toEqual(confirmed.map((booking) => booking.id).sort());

    // One notice per status change: a CONFIRMED notice for each confirmed booking, none twice.
    const notices = await query<{ booking_id: string; kind: string }>(
      db('mypage'),
      'SELECT booking_id, kind FROM notice',
    );
    expect(new Set(notices.map((notice) => `${notice.booking_id}/${notice.kind}`)).size).toBe(notices.length);
    const confirmedNotices = new Set(
      notices.filter((notice) => /CONFIRMED/i.test(notice.kind)).map((notice) => notice.booking_id),
    );
    for (const booking of confirmed) {
      expect(confirmedNotices.has(booking.id)).toBe(true);
    }

    // No valid message in any dead-letter topic.
    const admin = new Kafka({
      clientId: 'chaos-check',
      brokers: [kafka.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      for (const topic of Object.values(Topics).map(deadLetterTopicFor)) {
        const offsets = await admin.fetchTopicOffsets(topic);
        expect({
          topic,
          messages: offsets.reduce((sum, partition) => sum + Number(partition.high), 0),
        }).toEqual({
          topic,
          messages: 0,
        });
      }
    } finally {
      await admin.disconnect();
    }
  }, 600_000);
});
