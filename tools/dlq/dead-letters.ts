import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type IHeaders, type KafkaMessage } from 'kafkajs';
import { deadLetterTopicFor, Topics } from '@storage/contracts';

/** Every dead-letter topic of the platform: one per event topic. */
export const DEAD_LETTER_TOPICS = Object.values(Topics).map(deadLetterTopicFor);

/** Written to the DLQ topic itself when an operator replays or discards a message: an audit trail. */
const MARKER_HEADER = 'dlq-marker';
const MARKS_HEADER = 'dlq-marks';

export type DeadLetterState = 'pending' | 'replayed' | 'discarded';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** When it was dead-lettered (the consumer's `dlq-failed-at`, else the record's timestamp). */
  failedAt: Date;
  originalTopic: string;
  reason: string;
  kind: string;
  state: DeadLetterState;
}

function text(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) {
      out[name] = first.toString();
    }
  }
  return out;
}

export class DeadLetterQueue {
  private readonly kafka: Kafka;

  constructor(brokers: string[]) {
    this.kafka = new Kafka({
      clientId: 'dlq-tool',
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
  }

  /** Reads each topic from its start to its current end; markers fold into the messages' states. */
  async read(topics: string[] = DEAD_LETTER_TOPICS): Promise<DeadLetter[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, Map<number, bigint>>();
    try {
      const existing = new Set(await admin.listTopics());
      for (const topic of topics.filter((candidate) => existing.has(candidate))) {
        const offsets = await admin.fetchTopicOffsets(topic);
        ends.set(topic, new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)])));
      }
    } finally {
      await admin.disconnect();
    }
    const pending = [...ends.values()].reduce(
      (sum, partitions) => sum + [...partitions.values()].filter((high) => high > 0n).length,
      0,
    );
    if (pending === 0) {
      return [];
    }
    const records: { topic: string; partition: number; message: KafkaMessage }[] = [];
    const consumer = this.kafka.consumer({ groupId: `dlq-tool-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...ends.keys()], fromBeginning: true });
      const done = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('Reading the dead-letter topics took over 30 s')),
          30_000,
        );
        const check = () => {
          if (done.size === pending) {
            clearTimeout(timer);
            resolve();
          }
        };
        consumer
          .run({
            eachMessage: ({ topic, partition, message }) => {
              records.push({ topic, partition, message });
              const high = ends.get(topic)?.get(partition) ?? 0n;
              if (BigInt(message.offset) + 1n >= high) {
                done.add(`${topic}/${partition}`);
                check();
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return this.fold(records);
  }

  private fold(records: { topic: string; partition: number; message: KafkaMessage }[]): DeadLetter[] {
    const states = new Map<string, DeadLetterState>();
    const letters: DeadLetter[] = [];
    for (const { topic, partition, message } of records) {
      const headers = text(message.headers);
      const marker = headers[MARKER_HEADER];
      if (marker === 'replayed' || marker === 'discarded') {
        for (const mark of (headers[MARKS_HEADER] ?? '').split(',').filter(Boolean)) {
          states.set(`${topic}/${mark}`, marker);
        }
        continue;
      }
      letters.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers,
        failedAt: new Date(headers['dlq-failed-at'] ?? Number(message.timestamp)),
        originalTopic: headers['dlq-original-topic'] ?? topic.replace(/\.dlq$/, ''),
        reason: headers['dlq-reason'] ?? '(no reason recorded)',
        kind: headers['dlq-failure-kind'] ?? 'unknown',
        state: 'pending',
      });
    }
    return letters
      .map((letter) => ({
        ...letter,
        state: states.get(`${letter.topic}/${letter.partition}:${letter.offset}`) ?? letter.state,
      }))
      .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime());
  }

  /**
   * Publishes each message again to the topic it came from, with its original key and headers
   * (the inbox makes a message that was applied meanwhile harmless), then marks it replayed.
   */
  async replay(letters: DeadLetter[]): Promise<void> {
    await this.withProducer(async (send) => {
      for (const letter of letters) {
        const headers = Object.fromEntries(
          Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')),
        );
        await send({
          topic: letter.originalTopic,
          messages: [
            {
              key: letter.key,
              value: letter.value,
              headers: {
                ...headers,
                'dlq-replayed-from': `${letter.topic}/${letter.partition}:${letter.offset}`,
              },
            },
          ],
        });
        await this.mark(send, letter, 'replayed');
      }
    });
  }

  /** Marks messages as dealt with, without publishing them. */
  async discard(letters: DeadLetter[]): Promise<void> {
    await this.withProducer(async (send) => {
      for (const letter of letters) {
        await this.mark(send, letter, 'discarded');
      }
    });
  }

  private async mark(
    send: Parameters<Parameters<DeadLetterQueue['withProducer']>[0]>[0],
    letter: DeadLetter,
    marker: 'replayed' | 'discarded',
  ): Promise<void> {
    await send({
      topic: letter.topic,
      messages: [
        {
          partition: letter.partition,
          key: letter.key,
          value: null,
          headers: {
            [MARKER_HEADER]: marker,
            [MARKS_HEADER]: `${letter.partition}:${letter.offset}`,
            'dlq-marked-at': new Date().toISOString(),
          },
        },
      ],
    });
  }

  private async withProducer(
    work: (
      send: (record: Parameters<ReturnType<Kafka['producer']>['send']>[0]) => Promise<unknown>,
    ) => Promise<void>,
  ): Promise<void> {
    // The services' partitioner: a replayed event lands on its booking's partition, in order.
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await work((record) => producer.send(record));
    } finally {
      await producer.disconnect();
    }
  }
}
