import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { stackInfo } from './stack-file';

export function kafka(): Kafka {
  return new Kafka({
    clientId: 'suite',
    brokers: stackInfo().brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

export interface Received {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads topics from the beginning with a throw-away consumer group and collects everything, so
 * a suite can wait for the messages it caused (filter by key: topics are shared across suites).
 */
export async function collect(
  topics: string[],
): Promise<{ received: Received[]; stop: () => Promise<void> }> {
  const consumer = kafka().consumer({ groupId: `suite-${randomBytes(6).toString('hex')}` });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      received.push({ topic, partition, message });
      return Promise.resolve();
    },
  });
  await ready;
  return { received, stop: () => consumer.disconnect() };
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}

/** Committed offset of a consumer group on one partition (-1 when nothing is committed yet). */
export async function committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const found = entry?.partitions.find((candidate) => candidate.partition === partition);
    return found ? Number(found.offset) : -1;
  } finally {
    await admin.disconnect();
  }
}
