import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { Client } from 'pg';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { OUTBOX_CHANNEL } from './outbox';

export interface OutboxRelayOptions {
  databaseUrl: string;
  batchSize: number;
  /** Fallback poll when no NOTIFY arrives (e.g. the LISTEN connection is being re-established). */
  pollIntervalMs: number;
  /** Published rows are kept this long for inspection, then deleted. */
  retentionHours: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  envelope: unknown;
  headers: Record<string, string>;
}

/** Same key for every replica of a service: only one relays at a time, which keeps per-key order. */
const RELAY_LOCK_KEY = 727_002;
const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Publishes committed outbox rows to Kafka in insertion order, then marks them published in the
 * same transaction that claimed them (FOR UPDATE SKIP LOCKED). At-least-once: a crash between
 * send and commit republishes, and every consumer is idempotent.
 */
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by a NOTIFY; a notification that arrives while a batch is being published is not lost. */
  private notified = false;
  private listener?: Client;
  private lastCleanup = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: ClientKafka,
    private readonly options: OutboxRelayOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.notified = true;
    this.wake?.();
    await this.loop;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    await this.producer.close();
  }

  /** Publishes everything pending now; used by the loop and by tests that need determinism. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.options.batchSize) {
        return total;
      }
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.ensureListening();
        this.notified = false;
        await this.drain();
        await this.cleanupIfDue();
        if (!this.notified) {
          await this.sleep(this.options.pollIntervalMs);
        }
      } catch (error) {
        this.logger.warn({ msg: 'Outbox relay cycle failed; retrying', err: String(error) });
        await this.sleep(1000);
      }
    }
  }

  private async publishBatch(): Promise<number> {
    let rows: OutboxRow[] = [];
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          'SELECT pg_try_advisory_xact_lock($1) AS locked',
          [RELAY_LOCK_KEY],
        );
        if (!locked) {
          return 0;
        }
        rows = await manager.query<OutboxRow[]>(
          `SELECT id, topic, message_key, envelope, headers FROM outbox_message
           WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.options.batchSize],
        );
        if (rows.length === 0) {
          return 0;
        }
        await this.publish(rows);
        await this.markPublished(manager, rows);
        return rows.length;
      });
    } catch (error) {
      if (rows.length > 0) {
        await this.recordFailure(rows, error);
      }
      throw error;
    }
  }

  /** Keys are independent, so they go in parallel; one key's events go strictly in order. */
  private async publish(rows: OutboxRow[]): Promise<void> {
    const byKey = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      byKey.set(row.message_key, [...(byKey.get(row.message_key) ?? []), row]);
    }
    await Promise.all(
      [...byKey.values()].map(async (sameKey) => {
        for (const row of sameKey) {
          // emit() is hot: awaiting it is what surfaces a failed send.
          await lastValueFrom(
            this.producer.emit(row.topic, {
              key: row.message_key,
              value: JSON.stringify(row.envelope),
              headers: row.headers,
            }),
          );
        }
      }),
    );
  }

  private async markPublished(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
    await manager.query(
      'UPDATE outbox_message SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
      [rows.map((row) => row.id)],
    );
  }

  private async recordFailure(rows: OutboxRow[], error: unknown): Promise<void> {
    await this.dataSource
      .query(
        'UPDATE outbox_message SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])',
        [rows.map((row) => row.id), String(error).slice(0, 2000)],
      )
      .catch(() => undefined);
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) {
      return;
    }
    this.lastCleanup = Date.now();
    await this.dataSource.query(
      `DELETE FROM outbox_message WHERE published_at < now() - make_interval(hours => $1)`,
      [this.options.retentionHours],
    );
  }

  private async ensureListening(): Promise<void> {
    if (this.listener) {
      return;
    }
    const client = new Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 3000 });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', () => {
      // The poll keeps the relay going; the next cycle reconnects.
      this.listener = undefined;
      client.end().catch(() => undefined);
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
