/**
 * `npm run bench:relay`: the ceiling of one outbox relay, the part of the system that does not
 * scale out (one relay per service holds the advisory lock at a time). A fresh database gets a
 * backlog of booking events, then one relay (the service's own code and settings: batches of
 * 200, one produce request per batch, acks from the broker) publishes it to a real Kafka, timed
 * from its first claim to the last row marked published. Prints events per second and CPU per
 * event of the relay's process, of Postgres and of the broker. Durable Postgres, as `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { BookingCompleted, Topics } from '@storage/contracts';
import {
  createProducerClient,
  ensureTopics,
  InboxMessageOrmEntity,
  MESSAGING_MIGRATIONS,
  Outbox,
  OutboxMessageOrmEntity,
  OutboxRelay,
} from '@storage/messaging';
import { buildDataSourceOptions, ensureDatabase, replyStallMs } from '@storage/persistence';
import { databaseUrl } from '../stack/database-url';
import { ROOT, startInfra } from '../stack/infra';
import { waitUntil } from '../../test/support/wait-for';
import { cpuDelta, sampleCpu } from './measure';

const log = (line: string) => process.stdout.write(`[relay] ${line}\n`);
const EVENTS = Number(process.env.RELAY_EVENTS ?? 20_000);
const BOOKINGS = 2_000;

async function main(): Promise<void> {
  const dataDir = join(ROOT, '.data', `relay-${process.pid}`);
  const infra = await startInfra({ dataDir, preferDefaultPorts: false, durable: true, log });
  const brokers = infra.kafka.brokers.split(',');
  const url = databaseUrl(infra.postgres.serverUrl, 'relay_ceiling');
  await ensureDatabase(url);
  const dataSource = await new DataSource(
    buildDataSourceOptions({
      url,
      poolSize: 10,
      preparedStatements: true,
      entities: [OutboxMessageOrmEntity, InboxMessageOrmEntity],
      migrations: MESSAGING_MIGRATIONS,
    }),
  ).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    await ensureTopics({
      brokers,
      topics: [Topics.bookingEvents],
      partitions: 6,
      replicationFactor: 1,
      clientId: 'relay',
    });
    log(`writing ${EVENTS} events of ${BOOKINGS} bookings to the outbox...`);
    const outbox = new Outbox();
    const keys = Array.from({ length: BOOKINGS }, () => randomUUID());
    for (let written = 0; written < EVENTS; written += 500) {
      await dataSource.transaction((manager) =>
        outbox.appendAll(
          manager,
          Array.from({ length: Math.min(500, EVENTS - written) }, (_, index) => {
            const bookingId = keys[(written + index) % BOOKINGS];
            return {
              definition: BookingCompleted,
              correlationId: bookingId,
              payload: { bookingId, customerId: 'relay-ceiling', unitId: null },
            };
          }),
        ),
      );
    }
    const relay = new OutboxRelay(dataSource, createProducerClient(brokers, 'relay-ceiling'), {
      databaseUrl: url,
      batchSize: 200,
      pollIntervalMs: 1000,
      retentionHours: 24,
      inboxRetentionHours: 24,
      maxPublishAttempts: 5,
      replyStallMs: replyStallMs(),
    });
    const groups = {
      // This process: the relay, and the probe that watches it finish.
      services: () => ({ relay: process.pid }),
      kafkaMarker: join(dataDir, 'kafka'),
      postgresMarker: join(dataDir, 'postgres'),
    };
    // The partial index on unpublished rows answers this without a scan.
    const anyUnpublished = async () =>
      (
        await dataSource.query<{ left: boolean }[]>(
          'SELECT EXISTS (SELECT 1 FROM outbox_message WHERE published_at IS NULL) AS left',
        )
      )[0].left;
    const before = sampleCpu(groups);
    const started = performance.now();
    // Its own loop, as in a service: connect, drain the backlog batch by batch.
    await relay.onApplicationBootstrap();
    await waitUntil('the backlog to be published', async () => !(await anyUnpublished()), {
      timeoutMs: 600_000,
      intervalMs: 50,
    });
    const elapsedMs = performance.now() - started;
    const cpu = cpuDelta(before, sampleCpu(groups));
    await relay.beforeApplicationShutdown();
    await relay.onApplicationShutdown();
    const published = EVENTS;
    log(
      `${published} events in ${(elapsedMs / 1000).toFixed(1)} s: ${((published / elapsedMs) * 1000).toFixed(0)} events/s; ` +
        `CPU per event ${Object.entries(cpu)
          // This process is the relay: measure.ts also counts it as the load generator.
          .filter(([group, ms]) => ms > 0 && group !== 'load generator')
          .map(([group, ms]) => `${group} ${((ms / published) * 1000).toFixed(0)} µs`)
          .join(', ')}`,
    );
  } finally {
    await dataSource.destroy();
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
