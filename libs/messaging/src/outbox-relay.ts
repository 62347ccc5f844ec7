import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { EventHeaders } from '@storage/contracts';
import {
  endSpan,
  SpanKind,
  startSpan,
  traceparentOf,
  tracingExported,
  type Span,
} from '@storage/observability';
import { watchReplies } from '@storage/persistence';
import { OUTBOX_CHANNEL } from './outbox';
import { relayCounters } from './outbox.metrics';

export interface OutboxRelayOptions {
  databaseUrl: string;
  batchSize: number;
  /**
   * Fallback poll when no NOTIFY arrives (e.g. the LISTEN connection is being re-established), and
   * how often a standby tries for the lead and claims.
   */
  pollIntervalMs: number;
  /** Published rows are kept this long for inspection, then deleted. */
  retentionHours: number;
  /**
   * Inbox records are kept this long, then deleted. Longer than any redelivery can come late
   * (Kafka's retention, a DLQ replay): a record deleted earlier would let a duplicate through.
   */
  inboxRetentionHours: number;
  /** Refusals of one row (message too large, invalid) before it is parked. */
  maxPublishAttempts: number;
  /** The relay's own session is closed when its server stays silent this long (watchReplies). */
  replyStallMs: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  envelope: unknown;
  headers: Record<string, string>;
  attempts: number;
  /** Seconds since the row was committed, when it was claimed. */
  waited_s: number;
}

interface PublishFailure {
  row: OutboxRow;
  error: unknown;
  /** The broker refused this record itself; retrying the same bytes cannot help. */
  refused: boolean;
}

/**
 * kafkajs marks protocol errors retriable or not; a broker that is down or electing a leader is
 * retriable (wait), a record too large or invalid is not (count toward parking).
 */
function refusedByBroker(error: unknown): boolean {
  for (let link: unknown = error, depth = 0; link && typeof link === 'object' && depth < 5; depth += 1) {
    const fields = link as { name?: string; retriable?: boolean; cause?: unknown };
    if (fields.name === 'KafkaJSProtocolError' && fields.retriable === false) {
      return true;
    }
    link = fields.cause;
  }
  return false;
}

/**
 * The publish is a span of the trace that wrote the event (its traceparent header, set by the
 * outbox in the writer's transaction); consumers continue the trace from this span.
 */
function publishSpan(row: OutboxRow): Span {
  return startSpan(`${row.topic} publish`, {
    kind: SpanKind.PRODUCER,
    parent: row.headers[EventHeaders.traceparent],
    attributes: tracingExported()
      ? {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': row.topic,
          'messaging.message.id': (row.envelope as { eventId?: string }).eventId ?? '',
          'messaging.kafka.message.key': row.message_key,
          'outbox.waited_s': row.waited_s,
        }
      : undefined,
  });
}

function withTraceparent(headers: Record<string, string>, span: Span): Record<string, string> {
  const traceparent = traceparentOf(span);
  return traceparent ? { ...headers, [EventHeaders.traceparent]: traceparent } : headers;
}

/** Same key for every replica of a service: only one relays at a time, which keeps per-key order. */
const RELAY_LOCK_KEY = 727_002;
/**
 * Same key for every replica of a service: the relay whose own session holds it leads, listening
 * for NOTIFY and claiming whenever rows come. The others stand by: once a poll interval they try
 * for the lead and claim what may be waiting, never on a NOTIFY. Without a lead every replica's
 * relay woke on every NOTIFY, and all but one found the claim's lock taken or the rows gone: an
 * empty transaction per extra replica per wake-up. The lock belongs to the session, so a leader
 * that stops, dies or loses its connection frees it; a leader that holds it and publishes nothing
 * (its process frozen, its host cut off before Postgres notices) delays rows by a poll interval at
 * most, since the standbys' claims still take them. The claim's own lock (RELAY_LOCK_KEY) is what
 * keeps two relays from ever publishing at once.
 */
const RELAY_LEADER_KEY = 727_003;
const CLEANUP_EVERY_MS = 10 * 60_000;
/** How long one relay transaction goes on taking batches while rows keep coming. */
const HOLD_MS = 100;

/**
 * Publishes committed outbox rows to Kafka in insertion order, claimed (FOR UPDATE SKIP LOCKED)
 * and marked published in one statement of a transaction that commits after the send (of its
 * batch and of the batches that follow it while rows keep coming): a row counts as published
 * only once it went out. At-least-once: a crash between send and commit republishes, and every
 * consumer is idempotent.
 */
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by a NOTIFY; a notification that arrives while a batch is being published is not lost. */
  private notified = false;
  /** The relay's own connection: it holds the leader lock and, while leading, LISTENs. */
  private session?: Client;
  private leading = false;
  private lastCleanup = 0;
  /** Set when a whole batch failed (the broker unreachable, most likely): the loop backs off. */
  private lastFailure?: string;

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

  /** Ending the session frees the leader lock: a standby takes over at its next try. */
  async onApplicationShutdown(): Promise<void> {
    await this.endSession();
    await this.producer.close();
  }

  /** Whether this relay leads (wakes on NOTIFY) or stands by; for tests (the metric is set apart). */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Publishes everything pending now (returns how many went out); used by the loop and by tests
   * that need determinism.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { published, more } = await this.publishWhileComing();
      total += published;
      if (!more) {
        return total;
      }
    }
  }

  /**
   * Batches in one transaction while rows keep coming (a full batch, or a NOTIFY during the last
   * one), for up to HOLD_MS: one round trip per batch instead of two (its BEGIN and COMMIT), and
   * one commit for them all. Rows sent stay marked, uncommitted, until the end: a crash before it
   * sends them again (at-least-once, as for one batch), and the lock that keeps other replicas
   * out holds throughout. `more`: the last batch was full when the time was up.
   */
  private publishWhileComing(): Promise<{ published: number; more: boolean }> {
    const started = performance.now();
    return this.dataSource.transaction(async (manager) => {
      let published = 0;
      for (;;) {
        // A NOTIFY from here on means rows committed after this batch's claim may be waiting.
        this.notified = false;
        const batch = await this.publishBatch(manager);
        published += batch.published;
        const full = batch.claimed === this.options.batchSize;
        if (batch.failed > 0 || (!full && !(batch.claimed > 0 && this.notified))) {
          // Caught up, or a failure for the loop to handle: a NOTIFY that came meanwhile (still
          // set) makes the loop drain again.
          return { published, more: false };
        }
        if (!this.running || performance.now() - started >= HOLD_MS) {
          return { published, more: full };
        }
      }
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.lead();
        // drain() clears `notified` before each claim; set when it returns, rows may be waiting.
        // A standby is never notified: it claims once a poll interval, and normally finds nothing.
        await this.drain();
        await this.cleanupIfDue();
        if (this.lastFailure !== undefined) {
          this.logger.warn({
            msg: 'Outbox relay could not publish; retrying',
            err: String(this.lastFailure),
          });
          this.lastFailure = undefined;
          // Another replica may reach the broker when this one cannot: the lead is open to it.
          await this.standDown();
          await this.sleep(1000);
        } else if (!this.notified) {
          await this.sleep(this.options.pollIntervalMs);
        }
      } catch (error) {
        this.logger.warn({ msg: 'Outbox relay cycle failed; retrying', err: String(error) });
        await this.endSession();
        await this.sleep(1000);
      }
    }
  }

  /**
   * Claims a batch in id order, skipping parked rows and every later row of a parked row's key,
   * publishes it (keys in parallel, one key strictly in order, stopping at a key's first failure)
   * and records each row's outcome in the same transaction: rows sent keep the mark the claim
   * gave them; the others lose it again.
   */
  private async publishBatch(
    manager: EntityManager,
  ): Promise<{ claimed: number; published: number; failed: number }> {
    // The lock, the claim and the mark in one round trip: no lock, no rows. The mark commits
    // only with this transaction, after the send; rows that do not go out lose it again below,
    // and a crash in between rolls it back (the rows go again: at-least-once, as before). The
    // claim is materialized so that it runs once, whatever plan the join gets.
    const rows = await manager.query<OutboxRow[]>(
      `WITH relay AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($1) AS locked),
         claimed AS MATERIALIZED (
           SELECT o.id FROM relay, outbox_message o
           WHERE relay.locked AND o.published_at IS NULL AND o.parked_at IS NULL
             AND NOT EXISTS (
               SELECT 1 FROM outbox_message p
               WHERE p.parked_at IS NOT NULL AND p.published_at IS NULL AND p.message_key = o.message_key
             )
           ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED
         ),
         marked AS (
           UPDATE outbox_message o SET published_at = now() FROM claimed WHERE o.id = claimed.id
           RETURNING o.id, o.topic, o.message_key, o.envelope, o.headers, o.attempts,
             EXTRACT(EPOCH FROM clock_timestamp() - o.created_at)::float8 AS waited_s
         )
         SELECT * FROM marked ORDER BY id`,
      [RELAY_LOCK_KEY, this.options.batchSize],
    );
    if (rows.length === 0) {
      return { claimed: 0, published: 0, failed: 0 };
    }
    const spans = new Map(rows.map((row) => [row.id, publishSpan(row)]));
    const sendStarted = performance.now();
    const { published, failures } = await this.publish(
      rows.map((row) => ({ ...row, headers: withTraceparent(row.headers, spans.get(row.id)!) })),
    );
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    for (const row of published) {
      relayCounters.published(row.topic, row.waited_s + sendSeconds);
      endSpan(spans.get(row.id)!);
    }
    for (const { row, error } of failures) {
      endSpan(spans.get(row.id)!, error);
    }
    // Rows that did not go out (refused, or held back behind an earlier failure of their key)
    // are not published.
    if (published.length < rows.length) {
      const sent = new Set(published.map(({ id }) => id));
      await manager.query('UPDATE outbox_message SET published_at = NULL WHERE id = ANY($1::bigint[])', [
        rows.filter(({ id }) => !sent.has(id)).map(({ id }) => id),
      ]);
    }
    for (const failure of failures) {
      await this.recordFailure(manager, failure);
    }
    // Recorded, not thrown: the refusal counts must commit for parking to ever happen.
    this.lastFailure = failures.length > 0 && published.length === 0 ? String(failures[0].error) : undefined;
    return { claimed: rows.length, published: published.length, failed: failures.length };
  }

  /**
   * The whole batch in one produce request (one per broker): rows of one key land in their
   * partition in batch order. When the broker refuses a record of it, the rows go again one by
   * one to find which; when it is unreachable, every row waits for the next cycle.
   */
  private async publish(rows: OutboxRow[]): Promise<{ published: OutboxRow[]; failures: PublishFailure[] }> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: JSON.stringify(row.envelope), headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    try {
      await this.producer.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      return { published: rows, failures: [] };
    } catch (error) {
      if (!refusedByBroker(error)) {
        return { published: [], failures: rows.map((row) => ({ row, error, refused: false })) };
      }
      // Rows of the batch that did land go again: consumers are idempotent, per-key order holds.
      return this.publishOneByOne(rows);
    }
  }

  /** Keys are independent, so they go in parallel; one key's events go strictly in order. */
  private async publishOneByOne(
    rows: OutboxRow[],
  ): Promise<{ published: OutboxRow[]; failures: PublishFailure[] }> {
    const byKey = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      byKey.set(row.message_key, [...(byKey.get(row.message_key) ?? []), row]);
    }
    const published: OutboxRow[] = [];
    const failures: PublishFailure[] = [];
    await Promise.all(
      [...byKey.values()].map(async (sameKey) => {
        for (const row of sameKey) {
          try {
            // emit() is hot: awaiting it is what surfaces a failed send.
            await lastValueFrom(
              this.producer.emit(row.topic, {
                key: row.message_key,
                value: JSON.stringify(row.envelope),
                headers: row.headers,
              }),
            );
            published.push(row);
          } catch (error) {
            // Later rows of this key wait for this one: per-key order is the contract.
            failures.push({ row, error, refused: refusedByBroker(error) });
            return;
          }
        }
      }),
    );
    return { published, failures };
  }

  private async recordFailure(
    manager: EntityManager,
    { row, error, refused }: PublishFailure,
  ): Promise<void> {
    const attempts = row.attempts + (refused ? 1 : 0);
    const park = refused && attempts >= this.options.maxPublishAttempts;
    relayCounters.failed(refused);
    await manager.query(
      `UPDATE outbox_message SET attempts = $2, last_error = $3, parked_at = CASE WHEN $4 THEN now() END
       WHERE id = $1`,
      [row.id, attempts, String(error).slice(0, 2000), park],
    );
    if (park) {
      relayCounters.parked();
      this.logger.error({
        msg: 'Outbox row parked: the broker refuses it; later events of its key wait until an operator acts',
        alert: 'OUTBOX_ROW_PARKED',
        outboxId: row.id,
        topic: row.topic,
        key: row.message_key,
        attempts,
        err: String(error),
      });
    }
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) {
      return;
    }
    this.lastCleanup = Date.now();
    await this.cleanup();
  }

  /** Deletes published rows and inbox records past their retention (every replica may run it). */
  async cleanup(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM outbox_message WHERE published_at < now() - make_interval(hours => $1)`,
      [this.options.retentionHours],
    );
    await this.dataSource.query(
      `DELETE FROM inbox_message WHERE processed_at < now() - make_interval(hours => $1)`,
      [this.options.inboxRetentionHours],
    );
  }

  /**
   * Connects the relay's session (once) and, unless it leads already, tries the leader lock; the
   * leader LISTENs.
   */
  private async lead(): Promise<void> {
    if (!this.session) {
      const client = new Client({
        connectionString: this.options.databaseUrl,
        connectionTimeoutMillis: 3000,
      });
      watchReplies(client, this.options.replyStallMs);
      client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      client.on('error', () => {
        // The lock went with the connection; the next cycle connects again and tries for it.
        if (this.session === client) {
          this.session = undefined;
          this.setLeading(false);
        }
        client.end().catch(() => undefined);
      });
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.session = client;
    }
    if (!this.leading) {
      const { rows } = await this.session.query<{ leads: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS leads',
        [RELAY_LEADER_KEY],
      );
      if (rows[0]?.leads) {
        await this.session.query(`LISTEN ${OUTBOX_CHANNEL}`);
        this.setLeading(true);
      }
    }
  }

  /** Gives the lead up (keeping the session): any replica's relay, this one included, may take it. */
  private async standDown(): Promise<void> {
    if (!this.session || !this.leading) {
      return;
    }
    this.setLeading(false);
    try {
      await this.session.query('UNLISTEN *');
      await this.session.query('SELECT pg_advisory_unlock($1)', [RELAY_LEADER_KEY]);
    } catch {
      // A session that cannot say it gives up the lead ends: that frees the lock too.
      await this.endSession();
    }
  }

  private async endSession(): Promise<void> {
    const client = this.session;
    this.session = undefined;
    this.setLeading(false);
    await client?.end().catch(() => undefined);
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    relayCounters.leading(leading);
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
