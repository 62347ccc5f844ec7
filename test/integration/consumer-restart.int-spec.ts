import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AssignerProtocol, Partitioners, type GroupMember, type PartitionAssigner } from 'kafkajs';
import { ensureTopics, KafkaEventServer } from '@storage/messaging';
import { kafka } from '../support/kafka';
import { stackInfo } from '../support/stack-file';
import { waitFor } from '../support/wait-for';

/** A group member speaking a protocol no other member shares: the broker refuses later joiners. */
const incompatibleAssigner: PartitionAssigner = () => ({
  name: 'IncompatibleAssigner',
  version: 1,
  protocol: ({ topics }: { topics: string[] }) => ({
    name: 'IncompatibleAssigner',
    metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
  }),
  assign: ({ members }: { members: GroupMember[] }) =>
    Promise.resolve(
      members.map((member) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: {},
          userData: Buffer.alloc(0),
        }),
      })),
    ),
});

/** A server whose one handler records each message's `n`, created and listening. */
async function startRecordingServer(
  options: ConstructorParameters<typeof KafkaEventServer>[0],
  topic: string,
  received: string[],
): Promise<KafkaEventServer> {
  const server = new KafkaEventServer(options);
  server.addHandler(
    topic,
    (data: { n: string }) => {
      received.push(data.n);
      return Promise.resolve();
    },
    true,
  );
  await new Promise<void>((resolve, reject) => {
    void server.listen((error?: unknown) =>
      error ? reject(new Error('listen failed', { cause: error })) : resolve(),
    );
  });
  return server;
}

/** A topic of one partition for one test. */
async function createTopic(topic: string): Promise<void> {
  const brokers = stackInfo().brokers.split(',');
  await ensureTopics({
    brokers,
    topics: [topic],
    partitions: 1,
    replicationFactor: 1,
    clientId: 'consumer-it',
  });
}

async function produce(topic: string, ns: string[]): Promise<void> {
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: ns.map((n) => ({ key: 'k', value: JSON.stringify({ n }) })) });
  await producer.disconnect();
}

/**
 * kafkajs gives up on a consumer for good after a non-retriable error (here the broker refusing
 * the join, INCONSISTENT_GROUP_PROTOCOL): the server must bring it back by itself, not sit unready.
 */
describe('KafkaEventServer after kafkajs gave up (real Kafka)', () => {
  const brokers = stackInfo().brokers.split(',');
  const topic = `restart-it-${randomUUID()}`;
  const groupId = `restart-it-${randomUUID()}`;
  let server: KafkaEventServer;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    await createTopic(topic);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('restarts the crashed consumer in-process and consumes again', async () => {
    const blocker = kafka().consumer({ groupId, partitionAssigners: [incompatibleAssigner] });
    await blocker.connect();
    await blocker.subscribe({ topics: [topic] });
    let blockerJoined!: () => void;
    const joined = new Promise<void>((resolve) => (blockerJoined = resolve));
    blocker.on(blocker.events.GROUP_JOIN, () => blockerJoined());
    await blocker.run({ eachMessage: () => Promise.resolve() });
    await joined;

    const received: string[] = [];
    server = await startRecordingServer(
      { brokers, clientId: 'restart-it', groupId, maxAttempts: 3, retryBackoffMs: 10 },
      topic,
      received,
    );
    await waitFor(
      'kafkajs to give up on the consumer',
      () => Promise.resolve(server.state),
      (state) => state.crashed !== undefined,
      {
        timeoutMs: 30_000,
      },
    );
    expect(server.state.joined).toBe(false);

    await blocker.disconnect();
    await waitFor(
      'the consumer back in its group',
      () => Promise.resolve(server.state),
      (state) => state.joined,
      {
        timeoutMs: 60_000,
      },
    );
    expect(server.state.restarts).toBeGreaterThanOrEqual(1);
    expect(server.state.crashed).toBeUndefined();

    await produce(topic, ['after-restart']);
    await waitFor(
      'the message consumed after the restart',
      () => Promise.resolve(received),
      (seen) => seen.includes('after-restart'),
      {
        timeoutMs: 30_000,
      },
    );
  });
});

/**
 * A service stopping (a rolling update, Ctrl-C) commits what it applied since the last periodic
 * commit while it still owns its partitions: kafkajs refuses a commit once the consumer has left
 * its group, which left every such message to be redelivered to the next owner.
 */
describe('KafkaEventServer stopping (real Kafka)', () => {
  const brokers = stackInfo().brokers.split(',');
  const topic = `stop-commit-it-${randomUUID()}`;
  const groupId = `stop-commit-it-${randomUUID()}`;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    await createTopic(topic);
  });

  it('commits the messages it applied before it leaves the group', async () => {
    const received: string[] = [];
    const server = await startRecordingServer(
      {
        brokers,
        clientId: 'stop-it',
        groupId,
        maxAttempts: 3,
        retryBackoffMs: 10,
        // No periodic commit within the test: only the one at close can commit.
        commitIntervalMs: 600_000,
      },
      topic,
      received,
    );
    await produce(topic, ['1', '2', '3']);
    await waitFor(
      'the three messages applied',
      () => Promise.resolve(received),
      (seen) => seen.length === 3,
      { timeoutMs: 60_000 },
    );
    await server.close();

    const admin = kafka().admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed.partitions).toEqual([{ partition: 0, offset: '3', metadata: null }]);
    } finally {
      await admin.disconnect();
    }
  });
});
