import { randomUUID } from 'node:crypto';
import { BookingCompleted, Topics, type EventEnvelope } from '@storage/contracts';
import {
  createProducerClient,
  ensureTopics,
  Inbox,
  InboxMessageOrmEntity,
  MessagingTables1763700000000,
  Outbox,
  OutboxMessageOrmEntity,
  OutboxRelay,
} from '@storage/messaging';
import { runWithRequestContext } from '@storage/observability';
import { collect, header } from '../support/kafka';
import { freshDatabase } from '../support/database';
import { stackInfo } from '../support/stack-file';
import { waitFor } from '../support/wait-for';
import type { DataSource } from 'typeorm';

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
      migrations: [MessagingTables1763700000000],
    });
    dataSource = db.dataSource;
    relay = new OutboxRelay(dataSource, createProducerClient(brokers, 'it'), {
      databaseUrl: db.url,
      batchSize: 50,
      pollIntervalMs: 100,
      retentionHours: 24,
    });
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

      await relay.onApplicationBootstrap();
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
        'SELECT count(*)::int AS count FROM outbox_message WHERE published_at IS NULL',
      );
      expect(unpublished[0].count).toBe(0);
      expect(sink.received.some((entry) => entry.message.key?.toString() === ghostId)).toBe(false);
    } finally {
      await sink.stop();
    }
  });

  it('applies an event once, and again only if the first attempt rolled back', async () => {
    const inbox = new Inbox(dataSource);
    const envelope = { eventId: randomUUID(), type: 'BookingCompleted' } as EventEnvelope<unknown>;
    let effects = 0;
    await expect(
      inbox.processOnce('it-consumer', envelope, () => {
        effects += 1;
        return Promise.reject(new Error('transient'));
      }),
    ).rejects.toThrow('transient');
    await expect(
      inbox.processOnce('it-consumer', envelope, () => {
        effects += 1;
        return Promise.resolve();
      }),
    ).resolves.toBe(true);
    await expect(
      inbox.processOnce('it-consumer', envelope, () => {
        effects += 1;
        return Promise.resolve();
      }),
    ).resolves.toBe(false);
    await expect(
      inbox.processOnce('other-consumer', envelope, () => {
        effects += 1;
        return Promise.resolve();
      }),
    ).resolves.toBe(true);
    expect(effects).toBe(3);
  });
});
