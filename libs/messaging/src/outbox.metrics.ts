import type { DataSource } from 'typeorm';
import { counter, gauge, histogram, LATENCY_BUCKETS_SECONDS, readWithin } from '@storage/observability';

const published = counter<'topic'>({
  name: 'outbox_messages_published_total',
  help: 'Outbox rows published to Kafka by this relay',
  labelNames: ['topic'],
});
const publishDelay = histogram({
  name: 'outbox_publish_delay_seconds',
  help: "From the row's commit (its transaction's start) to the broker's acknowledgement",
  buckets: LATENCY_BUCKETS_SECONDS,
});
const failures = counter<'reason'>({
  name: 'outbox_publish_failures_total',
  help: 'Rows that failed to publish: broker unreachable (retried) or refused the record (counts to parking)',
  labelNames: ['reason'],
});
const leader = gauge({
  name: 'outbox_relay_leader',
  help: "1 while this replica's outbox relay leads (publishes the service's events), 0 while it stands by",
});
const parkedNow = counter({
  name: 'outbox_messages_parked_total',
  help: 'Rows parked after the broker refused them repeatedly (an operator must act)',
});

/** What the relay reports per batch. */
export const relayCounters = {
  published(topic: string, waitedSeconds: number): void {
    published.inc({ topic });
    publishDelay.observe(waitedSeconds);
  },
  failed(refused: boolean): void {
    failures.inc({ reason: refused ? 'refused' : 'unreachable' });
  },
  parked(): void {
    parkedNow.inc();
  },
  leading(leads: boolean): void {
    leader.set(leads ? 1 : 0);
  },
};

interface TableState {
  pending: number;
  parked: number;
  oldest_pending_age_s: number | null;
  inbox: number;
}

let database: DataSource | undefined;
let scraped: Promise<TableState | undefined> | undefined;

/**
 * One query per scrape for all four gauges (each gauge's collect asks; the first one runs it).
 * The pending rows are found through the partial index of unpublished rows; the inbox count walks
 * its primary key, which retention keeps to about two weeks of events.
 */
function tableState(): Promise<TableState | undefined> {
  if (!database) {
    return Promise.resolve(undefined);
  }
  const source = database;
  scraped ??= readWithin(async () => {
    const [row] = await source.query<TableState[]>(
      `SELECT
         (SELECT count(*) FROM outbox_message WHERE published_at IS NULL AND parked_at IS NULL)::int AS pending,
         (SELECT count(*) FROM outbox_message WHERE published_at IS NULL AND parked_at IS NOT NULL)::int AS parked,
         (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM outbox_message
           WHERE published_at IS NULL AND parked_at IS NULL) AS oldest_pending_age_s,
         (SELECT count(*) FROM inbox_message)::int AS inbox`,
    );
    return row;
  }).finally(() => {
    // The next scrape reads again; this one's gauges share the answer.
    setImmediate(() => {
      scraped = undefined;
    });
  });
  return scraped;
}

/**
 * Scrape-time state of the outbox and inbox tables of the service's database. While the database
 * does not answer, the gauges read NaN (no value on a dashboard) rather than a stale figure.
 */
export function watchMessagingTables(dataSource: DataSource): void {
  database = dataSource;
}

/** A gauge read from the one query of the scrape; NaN while the database does not answer. */
function tableGauge(name: string, help: string, pick: (state: TableState) => number): void {
  gauge({
    name,
    help,
    async collect() {
      const state = await tableState();
      this.set(state ? pick(state) : Number.NaN);
    },
  });
}

tableGauge(
  'outbox_messages_pending',
  'Committed events not yet published (parked rows not included)',
  (state) => state.pending,
);
tableGauge(
  'outbox_oldest_pending_age_seconds',
  'Age of the oldest unpublished event: how far behind the relay is (0 when none is pending)',
  (state) => state.oldest_pending_age_s ?? 0,
);
tableGauge(
  'outbox_messages_parked',
  'Parked rows waiting for an operator; later events of their keys wait behind them',
  (state) => state.parked,
);
tableGauge(
  'inbox_messages',
  'Events recorded as applied (kept for the retention period to catch late duplicates)',
  (state) => state.inbox,
);
