import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import { deadLetterTopicFor } from '@storage/contracts';

export interface TopicSpec {
  brokers: string[];
  topics: readonly string[];
  partitions: number;
  replicationFactor: number;
  clientId: string;
}

/**
 * Topics are created explicitly (the broker does not auto-create them) with enough partitions for
 * consumer replicas to share the work; each gets its dead-letter twin. Safe to run from every
 * replica at once: "already exists" is success.
 */
export async function ensureTopics(spec: TopicSpec): Promise<void> {
  const kafka = new Kafka({
    clientId: `${spec.clientId}-admin`,
    brokers: spec.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = [...new Set(spec.topics.flatMap((topic) => [topic, deadLetterTopicFor(topic)]))];
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = wanted
      .filter((topic) => !existing.has(topic))
      .map((topic) => ({ topic, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor }));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true }).catch((error: unknown) => {
        if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') {
          throw error;
        }
      });
    }
    await waitForLeaders(admin, wanted);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A topic another replica or service has just created may not have partition leaders yet, and a
 * consumer subscribing then fails ("does not host this topic-partition"): wait until every
 * partition of every topic has one.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata({ topics }).catch(() => undefined);
    const ready =
      metadata?.topics.length === topics.length &&
      metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
    if (ready) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics have no partition leaders yet: ${topics.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
