import type { Admin, Consumer } from 'kafkajs';
import { counter, gauge, readWithin } from '@storage/observability';

/** The admin calls the lag needs (Nest's and kafkajs' Admin types agree on these). */
type LagAdmin = Pick<Admin, 'connect' | 'disconnect' | 'fetchOffsets' | 'fetchTopicOffsets' | 'listGroups'>;

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

const fetches = counter({
  name: 'kafka_consumer_fetches_total',
  help: 'Fetch requests this consumer completed (messages consumed / fetches: how well fetches batch)',
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
  fetched: () => fetches.inc(),
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
  /** The topics this service's own group subscribes to. */
  topics(): string[];
  /** The topics whose other consumer groups this service reports too (those it publishes or reads). */
  watchedTopics(): readonly string[];
  /** Next offset this instance will read, for partitions it owns and has applied messages of. */
  position(topic: string, partition: number): bigint | undefined;
}

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Consumer groups come and go rarely: listed again at most this often. */
const GROUPS_TTL_MS = 60_000;

type Watermarks = Map<string, { partition: number; high: string; low: string }[]>;

/**
 * Consumer-group lag per partition, computed when Prometheus scrapes: the partition's high
 * watermark minus the group's position.
 * - The service's own group on the topics it subscribes to, every partition whether this instance
 *   owns it or not (a group whose members are restarting shows its lag too); where it owns one and
 *   has applied messages, its own position is fresher than the committed offset.
 * - Every other consumer group reading the service's topics, from their committed offsets: a
 *   consumer that is down cannot report its own lag, its peers do (a dead storage-assign's lag on
 *   booking's events is on booking's /metrics). Several services and replicas report the same
 *   group: take the max per group, topic and partition.
 */
export class ConsumerLagGauge {
  private admin?: LagAdmin;
  private connecting?: Promise<LagAdmin>;
  private peers?: { groups: string[]; listedAt: number };

  constructor(private readonly source: LagSource) {
    // One consumer per process; a later instance (a restarted server in a test) takes over.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    current = this;
  }

  pausedPartitions(): number {
    const paused = this.source.consumer()?.paused() ?? [];
    return paused.reduce((sum, entry) => sum + entry.partitions.length, 0);
  }

  async read(): Promise<PartitionLag[]> {
    const own = this.source.topics();
    const watched = [...new Set([...own, ...this.source.watchedTopics()])];
    if (watched.length === 0) {
      return [];
    }
    const admin = await this.connectAdmin();
    const watermarks: Watermarks = new Map(
      await Promise.all(watched.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)),
    );
    const lags = own.length > 0 ? await this.groupLag(admin, this.source.groupId, own, watermarks, true) : [];
    for (const group of await this.peerGroups(admin)) {
      lags.push(...(await this.groupLag(admin, group, watched, watermarks, false)));
    }
    return lags;
  }

  private async groupLag(
    admin: LagAdmin,
    group: string,
    topics: string[],
    watermarks: Watermarks,
    own: boolean,
  ): Promise<PartitionLag[]> {
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      // Another group reads a topic only if it has committed something on it.
      if (!own && partitions.every(({ offset }) => BigInt(offset) < 0n)) {
        continue;
      }
      for (const { partition, high, low } of watermarks.get(topic) ?? []) {
        const stored = BigInt(partitions.find((entry) => entry.partition === partition)?.offset ?? '-1');
        // No committed offset yet: the group starts from the beginning (subscribe fromBeginning).
        const committedPosition = stored < 0n ? BigInt(low) : stored;
        const mine = own ? this.source.position(topic, partition) : undefined;
        const position = mine !== undefined && mine > committedPosition ? mine : committedPosition;
        const lag = BigInt(high) - position;
        lags.push({ group, topic, partition, lag: Number(lag > 0n ? lag : 0n) });
      }
    }
    return lags;
  }

  private async peerGroups(admin: LagAdmin): Promise<string[]> {
    if (!this.peers || Date.now() - this.peers.listedAt > GROUPS_TTL_MS) {
      const { groups } = await admin.listGroups();
      this.peers = {
        groups: groups
          .filter((group) => group.protocolType === 'consumer' && group.groupId !== this.source.groupId)
          .map((group) => group.groupId)
          .sort(),
        listedAt: Date.now(),
      };
    }
    return this.peers.groups;
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

gauge<'group' | 'topic' | 'partition'>({
  name: 'kafka_consumer_lag_messages',
  help: 'Messages in the partition not yet applied by the consumer group (this service and the groups reading its topics)',
  labelNames: ['group', 'topic', 'partition'],
  async collect() {
    this.reset();
    const lags = current ? await readWithin(() => current!.read()) : undefined;
    for (const { group, topic, partition, lag } of lags ?? []) {
      this.set({ group, topic, partition: String(partition) }, lag);
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
