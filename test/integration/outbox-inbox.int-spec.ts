import { randomUUID } from 'node:crypto';
import { BookingCompleted, Topics, type EventEnvelope } from '@storage/contracts';
import {
  createProducerClient,
  ensureTopics,
  Inbox,
  InboxMessageOrmEntity,
  MESSAGING_MIGRATIONS,
  Outbox,
  OutboxMessageOrmEntity,
  OutboxRelay,
} from '@storage/messaging';
import { runWithRequestContext } from '@storage/observability';
import { replyStallMs, runInTransaction, transactionManager } from '@storage/persistence';
import { collect, header } from '../support/kafka';
import { freshDatabase } from '../support/database';
import { stackInfo } from '../support/stack-file';
import { waitFor } from '../support/wait-for';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const completed = (bookingId: string) => ({
  definition: BookingCompleted,
  correlationId: bookingId,
  payload: { bookingId, customerId: 'it-customer', unitId: null },
});

describe('transactional outbox and inbox (real Postgres and Kafka)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataSource: DataSource;
  let relay: OutboxRelay;
  const outbox = new Outbox();

  beforeAll(async () => {
    const brokers = stackInfo().brokers.split(',');
    await ensureTopics({
      brokers,
      topics: [Topics.bookingEvents],
      partitions: 6,
      replicationFactor: 1,
      clientId: 'it',
    });
    db = await freshDatabase({
      entities: [OutboxMessageOrmEntity, InboxMessageOrmEntity],
      migrations: MESSAGING_MIGRATIONS,
    });
    dataSource = db.dataSource;
    relay = new OutboxRelay(dataSource, createProducerClient(brokers, 'it'), {
      databaseUrl: db.url,
      batchSize: 50,
      pollIntervalMs: 100,
      retentionHours: 24,
      inboxRetentionHours: 24,
      maxPublishAttempts: 2,
      replyStallMs: replyStallMs(),
    });
    // Running for every test, as in a service: no test relies on another having started it.
    await relay.onApplicationBootstrap();
  });

  afterAll(async () => {
    await relay.beforeApplicationShutdown();
    await relay.onApplicationShutdown();
    await db.drop();
  });

  it('publishes committed events with key, headers and order, and never a rolled-back one', async () => {
    const bookingId = randomUUID();
    const ghostId = randomUUID();
    const sink = await collect([Topics.bookingEvents]);
    try {
      await runWithRequestContext({ requestId: 'req-it-1' }, () =>
        dataSource.transaction(async (manager) => {
          for (let i = 0; i < 3; i += 1) {
            await outbox.append(manager, completed(bookingId));
          }
        }),
      );
      await expect(
        dataSource.transaction(async (manager) => {
          await outbox.append(manager, completed(ghostId));
          throw new Error('the state change failed');
        }),
      ).rejects.toThrow('the state change failed');

      const mine = await waitFor(
        'three events of the booking on Kafka',
        () => Promise.resolve(sink.received.filter((entry) => entry.message.key?.toString() === bookingId)),
        (entries) => entries.length >= 3,
      );
      const envelopes = mine.map((entry) => JSON.parse(entry.message.value!.toString()) as EventEnvelope);
      expect(envelopes.map((envelope) => envelope.type)).toEqual([
        'BookingCompleted',
        'BookingCompleted',
        'BookingCompleted',
      ]);
      expect(new Set(mine.map((entry) => entry.partition)).size).toBe(1);
      const stored = await dataSource.query<{ event_id: string }[]>(
        `SELECT event_id FROM outbox_message WHERE message_key = $1 ORDER BY id`,
        [bookingId],
      );
      expect(envelopes.map((envelope) => envelope.eventId)).toEqual(stored.map((row) => row.event_id));
      expect(header(mine[0].message, 'x-request-id')).toBe('req-it-1');
      expect(header(mine[0].message, 'x-correlation-id')).toBe(bookingId);
      expect(header(mine[0].message, 'event-type')).toBe('BookingCompleted');

      const unpublished = await dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM outbox_message WHERE published_at IS NULL AND message_key = ANY($1)',
        [[bookingId, ghostId]],
      );
      expect(unpublished[0].count).toBe(0);
      expect(sink.received.some((entry) => entry.message.key?.toString() === ghostId)).toBe(false);
    } finally {
      await sink.stop();
    }
  });

  it('applies an event once, and again only if the first attempt rolled back', async () => {
    await dataSource.query(
      'CREATE TABLE IF NOT EXISTS inbox_effect (consumer text NOT NULL, attempt int NOT NULL)',
    );
    const inbox = new Inbox(dataSource);
    const envelope = { eventId: randomUUID(), type: 'BookingCompleted' } as EventEnvelope<unknown>;
    let attempts = 0;
    /** Writes its attempt's number, then counts it as done; `fail` makes it throw after writing. */
    const effect = (consumer: string, fail?: Error) => async () => {
      attempts += 1;
      await transactionManager('The effect').query(
        'INSERT INTO inbox_effect (consumer, attempt) VALUES ($1, $2)',
        [consumer, attempts],
      );
      if (fail) {
        throw fail;
      }
      done.push(attempts);
    };
    const done: number[] = [];
    await expect(
      inbox.processOnce('it-consumer', envelope, effect('it-consumer', new Error('transient'))),
    ).rejects.toThrow('transient');
    await expect(inbox.processOnce('it-consumer', envelope, effect('it-consumer'))).resolves.toBe(true);
    // A repeat: its first statement fails (the inbox row travels with it), so the effect stops there.
    await expect(inbox.processOnce('it-consumer', envelope, effect('it-consumer'))).resolves.toBe(false);
    await expect(inbox.processOnce('other-consumer', envelope, effect('other-consumer'))).resolves.toBe(true);
    // A repeat whose effect catches its statement's failure and goes on still changes nothing.
    await expect(
      inbox.processOnce('it-consumer', envelope, async () => {
        await effect('it-consumer')().catch(() => undefined);
        await transactionManager('The effect').query(
          'INSERT INTO inbox_effect (consumer, attempt) VALUES ($1, $2)',
          ['it-consumer', -1],
        );
      }),
    ).resolves.toBe(false);
    // A repeat whose effect runs no statement: found at COMMIT, which is not sent.
    await expect(inbox.processOnce('other-consumer', envelope, () => Promise.resolve())).resolves.toBe(false);
    // Inside another unit of work a repeat could not roll back what it started: refused.
    await expect(
      runInTransaction(dataSource, () =>
        inbox.processOnce('third-consumer', envelope, effect('third-consumer')),
      ),
    ).rejects.toThrow('Inbox.processOnce opens its own transaction');
    expect(done).toEqual([2, 4]);
    expect(
      await dataSource.query<{ consumer: string; attempt: number }[]>(
        'SELECT consumer, attempt FROM inbox_effect ORDER BY attempt',
      ),
    ).toEqual([
      { consumer: 'it-consumer', attempt: 2 },
      { consumer: 'other-consumer', attempt: 4 },
    ]);
  });

  it('parks a row the broker refuses for good; only later rows of its key wait, the rest flow', async () => {
    const stuckKey = randomUUID();
    const otherKey = randomUUID();
    // Over the broker's message.max.bytes: refused with MESSAGE_TOO_LARGE, however often it is sent.
    await dataSource.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope)
       VALUES ($1, $2, $3, 'BookingCompleted', jsonb_build_object('pad', repeat('x', 2000000)))`,
      [randomUUID(), Topics.bookingEvents, stuckKey],
    );
    await dataSource.transaction(async (manager) => {
      await outbox.append(manager, completed(stuckKey));
      await outbox.append(manager, completed(otherKey));
    });
    const rows = await waitFor(
      'the refused row parked and the other key published',
      () =>
        dataSource.query<
          { message_key: string; parked: boolean; published: boolean; attempts: number; last_error: string }[]
        >(
          `SELECT message_key, parked_at IS NOT NULL AS parked, published_at IS NOT NULL AS published, attempts, last_error
           FROM outbox_message WHERE message_key = ANY($1) ORDER BY id`,
          [[stuckKey, otherKey]],
        ),
      (found) => found[0]?.parked === true && found[2]?.published === true,
      { timeoutMs: 60_000 },
    );
    expect(rows[0]).toMatchObject({ parked: true, published: false, attempts: 2 });
    expect(rows[0].last_error).toMatch(/larger than the max message size/);
    // The later event of the same key is held back, never published out of order.
    expect(rows[1]).toMatchObject({ message_key: stuckKey, parked: false, published: false });

    // An operator deals with the parked row (here: drops it); its key flows again.
    await dataSource.query(`DELETE FROM outbox_message WHERE message_key = $1 AND parked_at IS NOT NULL`, [
      stuckKey,
    ]);
    await waitFor(
      'the held-back row published',
      () =>
        dataSource.query<{ published: boolean }[]>(
          `SELECT published_at IS NOT NULL AS published FROM outbox_message WHERE message_key = $1`,
          [stuckKey],
        ),
      (found) => found.length === 1 && found[0].published,
    );
  });

  it('drains a backlog batch after batch in order, each row once, and commits every row it sent as published', async () => {
    const own = await freshDatabase({
      entities: [OutboxMessageOrmEntity, InboxMessageOrmEntity],
      migrations: MESSAGING_MIGRATIONS,
    });
    const key = randomUUID();
    for (let i = 0; i < 5; i += 1) {
      await own.dataSource.transaction((manager) => outbox.append(manager, completed(key)));
    }
    const sink = await collect([Topics.bookingEvents]);
    const small = new OutboxRelay(
      own.dataSource,
      createProducerClient(stackInfo().brokers.split(','), 'it-small'),
      {
        databaseUrl: own.url,
        batchSize: 2,
        pollIntervalMs: 100,
        retentionHours: 24,
        inboxRetentionHours: 24,
        maxPublishAttempts: 2,
        replyStallMs: replyStallMs(),
      },
    );
    try {
      await small.onApplicationBootstrap();
      const published = () =>
        own.dataSource.query<{ event_id: string }[]>(
          'SELECT event_id FROM outbox_message WHERE published_at IS NOT NULL ORDER BY id',
        );
      await waitFor('the five rows committed as published', published, (rows) => rows.length === 5);
      const sent = await waitFor(
        'the five events on Kafka',
        () => Promise.resolve(sink.received.filter((entry) => entry.message.key?.toString() === key)),
        (entries) => entries.length >= 5,
      );
      const stored = await own.dataSource.query<{ event_id: string }[]>(
        'SELECT event_id FROM outbox_message ORDER BY id',
      );
      expect(
        sent.map((entry) => (JSON.parse(entry.message.value!.toString()) as EventEnvelope).eventId),
      ).toEqual(stored.map((row) => row.event_id));
      expect(await small.drain()).toBe(0);
    } finally {
      await small.beforeApplicationShutdown();
      await small.onApplicationShutdown();
      await sink.stop();
      await own.drop();
    }
  });

  describe('with more than one relay of a database', () => {
    let own: Awaited<ReturnType<typeof freshDatabase>>;
    let sink: Awaited<ReturnType<typeof collect>>;
    const relays: OutboxRelay[] = [];

    beforeEach(async () => {
      own = await freshDatabase({
        entities: [OutboxMessageOrmEntity, InboxMessageOrmEntity],
        migrations: MESSAGING_MIGRATIONS,
      });
      sink = await collect([Topics.bookingEvents]);
    });

    afterEach(async () => {
      for (const started of relays.splice(0)) {
        await started.beforeApplicationShutdown();
        await started.onApplicationShutdown();
      }
      await sink.stop();
      await own.drop();
    });

    const startRelay = async (dataSource: DataSource, pollIntervalMs: number) => {
      const started = new OutboxRelay(
        dataSource,
        createProducerClient(stackInfo().brokers.split(','), `it-relay-${relays.length}`),
        {
          databaseUrl: own.url,
          batchSize: 50,
          pollIntervalMs,
          retentionHours: 24,
          inboxRetentionHours: 24,
          maxPublishAttempts: 2,
          replyStallMs: replyStallMs(),
        },
      );
      relays.push(started);
      await started.onApplicationBootstrap();
      return started;
    };
    const write = async (keys: string[]) => {
      for (const key of keys) {
        // Each in its own transaction: each commit NOTIFYs.
        await own.dataSource.transaction((manager) => outbox.append(manager, completed(key)));
      }
    };
    const onKafka = (keys: string[]) =>
      waitFor(
        `the events of ${keys.length} bookings on Kafka`,
        () =>
          Promise.resolve(
            sink.received.filter((entry) => keys.includes(entry.message.key?.toString() ?? '')),
          ),
        (entries) => entries.length >= keys.length,
      );
    const leaderLocks = async () => {
      const [row] = await own.dataSource.query<{ held: number }[]>(
        `SELECT count(*)::int AS held FROM pg_locks
         WHERE locktype = 'advisory' AND objid = 727003 AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return row.held;
    };
    const pending = async () => {
      const [row] = await own.dataSource.query<{ pending: number }[]>(
        'SELECT count(*)::int AS pending FROM outbox_message WHERE published_at IS NULL',
      );
      return row.pending;
    };

    it('lets one lead; a standby claims once a poll interval, never on a NOTIFY', async () => {
      const leader = await startRelay(own.dataSource, 100);
      await waitFor('the first relay to lead', () => Promise.resolve(leader.isLeader), Boolean);
      // The standby has its own DataSource, so that its transactions (claims) can be counted.
      const standbySource = await new DataSource(own.dataSource.options).initialize();
      try {
        const claims = jest.spyOn(standbySource, 'transaction');
        const standby = await startRelay(standbySource, 10 * 60_000);
        await waitFor(
          "the standby's first claim",
          () => Promise.resolve(claims.mock.calls.length),
          (n) => n >= 1,
        );
        expect(standby.isLeader).toBe(false);
        expect(await leaderLocks()).toBe(1);

        const keys: string[] = [randomUUID(), randomUUID(), randomUUID()];
        await write(keys);
        expect(await onKafka(keys)).toHaveLength(3);
        // Three NOTIFYs came and went; the standby, asleep until its next poll, made no claim.
        expect(claims).toHaveBeenCalledTimes(1);
        expect(await pending()).toBe(0);
      } finally {
        // Stopped before its DataSource closes (afterEach stops the leader).
        const standby = relays.pop();
        await standby?.beforeApplicationShutdown();
        await standby?.onApplicationShutdown();
        await standbySource.destroy();
      }
    });

    it('publishes what a leader leaves waiting, and leads once the leader session ends', async () => {
      // A leader that publishes nothing: a frozen process, or a host cut off before Postgres noticed.
      const silentLeader = new Client({ connectionString: own.url });
      await silentLeader.connect();
      try {
        await silentLeader.query('SELECT pg_advisory_lock(727003)');
        const standby = await startRelay(own.dataSource, 100);
        const first: string[] = [randomUUID(), randomUUID()];
        await write(first);
        expect(await onKafka(first)).toHaveLength(2);
        expect(standby.isLeader).toBe(false);
      } finally {
        await silentLeader.end();
      }
      const [relay] = relays;
      await waitFor('the standby to lead', () => Promise.resolve(relay.isLeader), Boolean);
      expect(await leaderLocks()).toBe(1);
      const second: string[] = [randomUUID()];
      await write(second);
      expect(await onKafka(second)).toHaveLength(1);
      expect(await pending()).toBe(0);
    });
  });

  it('deletes inbox records and published rows after their retention', async () => {
    const inbox = new Inbox(dataSource);
    const old = { eventId: randomUUID(), type: 'BookingCompleted' } as EventEnvelope<unknown>;
    await inbox.processOnce('retention', old, () => Promise.resolve());
    await dataSource.query(
      `UPDATE inbox_message SET processed_at = now() - interval '25 hours' WHERE event_id = $1`,
      [old.eventId],
    );
    const published = randomUUID();
    await dataSource.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, published_at)
       VALUES ($1, $2, $3, 'BookingCompleted', '{}'::jsonb, now() - interval '25 hours')`,
      [published, Topics.bookingEvents, randomUUID()],
    );
    const fresh = randomUUID();
    await dataSource.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, envelope, published_at)
       VALUES ($1, $2, $3, 'BookingCompleted', '{}'::jsonb, now() - interval '23 hours')`,
      [fresh, Topics.bookingEvents, randomUUID()],
    );
    await relay.cleanup();
    const [{ inboxLeft }] = await dataSource.query<{ inboxLeft: number }[]>(
      `SELECT count(*)::int AS "inboxLeft" FROM inbox_message WHERE event_id = $1`,
      [old.eventId],
    );
    expect(inboxLeft).toBe(0);
    const [{ publishedLeft }] = await dataSource.query<{ publishedLeft: number }[]>(
      `SELECT count(*)::int AS "publishedLeft" FROM outbox_message WHERE published_at < now() - interval '24 hours'`,
    );
    expect(publishedLeft).toBe(0);
    const kept = await dataSource.query<{ event_id: string }[]>(
      'SELECT event_id FROM outbox_message WHERE event_id = ANY($1::uuid[])',
      [[published, fresh]],
    );
    expect(kept.map((row) => row.event_id)).toEqual([fresh]);
  });
});
