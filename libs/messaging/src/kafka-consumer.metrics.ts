import type { Admin, Consumer } from 'kafkajs';

/** The admin calls the lag needs (Nest's and kafkajs' Admin types agree on these). */
type LagAdmin = Pick<Admin, 'connect' | 'disconnect' | 'fetchOffsets' | 'fetchTopicOffsets'>;
import { counter, gauge, readWithin } from '@storage/observability';

const consumed = counter<'topic'>({
  name: 'kafka_consumer_messages_consumed_total',
  help: 'Messages handed to this consumer (redeliveries included)',
  labelNames: ['topic'],
});
const applied = counter<'topic'>({
  name: 'kafka_consumer_messages_applied_total',
  help: 'Messages whose handler succeeded (an inbox duplicate counts: it was applied before)',
  labelNames: ['topic'],
});
const retried = counter<'topic' | 'kind'>({
  name: 'kafka_consumer_messages_retried_total',
  help: 'Failed handler attempts that will be retried in place, by failure kind',
  labelNames: ['topic', 'kind'],
});
const deadLettered = counter<'topic' | 'kind'>({
  name: 'kafka_consumer_messages_dead_lettered_total',
  help: 'Messages sent to <topic>.dlq, by reason (poison, rejected, unknown)',
  labelNames: ['topic', 'kind'],
});

/** What KafkaEventServer reports as it handles messages. */
export const consumerCounters = {
  declare(topic: string): void {
    consumed.inc({ topic }, 0);
    applied.inc({ topic }, 0);
    for (const kind of ['poison', 'rejected', 'unknown']) {
      deadLettered.inc({ topic, kind }, 0);
    }
  },
  consumed: (topic: string) => consumed.inc({ topic }),
  applied: (topic: string) => applied.inc({ topic }),
  retried: (topic: string, kind: string) => retried.inc({ topic, kind }),
  deadLettered: (topic: string, kind: string) => deadLettered.inc({ topic, kind }),
};

export interface LagSource {
  groupId: string;
  /** A new admin client of the consumer's Kafka client; null before the server started. */
  createAdmin(): LagAdmin | null;
  consumer(): Consumer | null;
  topics(): string[];
  /** Next offset this instance will read, for partitions it owns and has applied messages of. */
  position(topic: string, partition: number): bigint | undefined;
}

const SCRAPE_TIMEOUT_MS = 2000;

/**
 * Lag of the service's consumer group per partition, computed when Prometheus scrapes: the
 * partition's high watermark minus the group's position (this instance's own applied offset where
 * it owns the partition, else the group's committed offset). Every partition of the subscribed
 * topics is reported, owned or not, so the lag of a group whose members are restarting or not yet
 * assigned is visible too; with several replicas, take the max per topic and partition.
 */
export class ConsumerLagGauge {
  private admin?: LagAdmin;
  private connecting?: Promise<LagAdmin>;

  constructor(private readonly source: LagSource) {
    // One consumer per process; a later instance (a restarted server in a test) takes over.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    current = this;
  }

  pausedPartitions(): number {
    const paused = this.source.consumer()?.paused() ?? [];
    return paused.reduce((sum, entry) => sum + entry.partitions.length, 0);
  }

  async read(): Promise<{ topic: string; partition: number; lag: number }[]> {
    const topics = this.source.topics();
    if (topics.length === 0) {
      return [];
    }
    const admin = await this.connectAdmin();
    const committed = await admin.fetchOffsets({ groupId: this.source.groupId, topics });
    const lags: { topic: string; partition: number; lag: number }[] = [];
    for (const topic of topics) {
      const watermarks = await admin.fetchTopicOffsets(topic);
      const group = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const { partition, high, low } of watermarks) {
        const stored = BigInt(group.find((entry) => entry.partition === partition)?.offset ?? '-1');
        // No committed offset yet: the group starts from the beginning (subscribe fromBeginning).
        const committedPosition = stored < 0n ? BigInt(low) : stored;
        const own = this.source.position(topic, partition);
        const position = own !== undefined && own > committedPosition ? own : committedPosition;
        const lag = BigInt(high) - position;
        lags.push({ topic, partition, lag: Number(lag > 0n ? lag : 0n) });
      }
    }
    return lags;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private connectAdmin(): Promise<LagAdmin> {
    if (this.admin) {
      return Promise.resolve(this.admin);
    }
    this.connecting ??= (async () => {
      const admin = this.source.createAdmin();
      if (!admin) {
        throw new Error('consumer not started');
      }
      await admin.connect();
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}

let current: ConsumerLagGauge | undefined;

gauge<'topic' | 'partition'>({
  name: 'kafka_consumer_lag_messages',
  help: "Messages in the partition not yet applied by this service's consumer group",
  labelNames: ['topic', 'partition'],
  async collect() {
    this.reset();
    const lags = current ? await readWithin(SCRAPE_TIMEOUT_MS, () => current!.read()) : undefined;
    for (const { topic, partition, lag } of lags ?? []) {
      this.set({ topic, partition: String(partition) }, lag);
    }
  },
});

gauge({
  name: 'kafka_consumer_paused_partitions',
  help: 'Partitions this consumer has paused (while its database is unreachable)',
  collect() {
    this.set(current?.pausedPartitions() ?? 0);
  },
});
