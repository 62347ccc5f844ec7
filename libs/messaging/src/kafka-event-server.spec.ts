import { Logger } from '@nestjs/common';
import type { EachMessagePayload } from 'kafkajs';
import { DomainError } from '@storage/ddd';
import { PoisonMessageError } from './event-errors';
import { KafkaEventServer } from './kafka-event-server';

const TOPIC = 'booking.events.v1';

class RuleBroken extends DomainError {
  readonly code = 'RULE_BROKEN';
  readonly status = 422;
}

const unavailable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

interface Harness {
  server: KafkaEventServer;
  sent: { topic: string; headers: Record<string, unknown> }[];
  paused: string[][];
  resumed: string[][];
  heartbeats: () => number;
  /** Each commitOffsets call, in order. */
  commits: { topic: string; partition: number; offset: string }[][];
  payload: EachMessagePayload;
}

/** The server with its Kafka parts replaced by recorders: the failure handling runs for real. */
function harness(
  handler: () => Promise<void>,
  options: { probe?: () => Promise<void>; heartbeat?: () => Promise<void> } = {},
): Harness {
  const server = new KafkaEventServer({
    brokers: ['localhost:9092'],
    clientId: 'test',
    groupId: 'test',
    maxAttempts: 3,
    retryBackoffMs: 2,
    maxRetryBackoffMs: 10,
    databaseProbe: options.probe,
    commitIntervalMs: 20,
  });
  server.addHandler(TOPIC, handler, true);
  const sent: Harness['sent'] = [];
  const paused: string[][] = [];
  const resumed: string[][] = [];
  const commits: Harness['commits'] = [];
  const internals = server as unknown as Record<string, unknown>;
  internals.producer = {
    send: (record: { topic: string; messages: { headers: Record<string, unknown> }[] }) => {
      sent.push({ topic: record.topic, headers: record.messages[0].headers });
      return Promise.resolve([]);
    },
    disconnect: () => Promise.resolve(),
  };
  // As kafkajs: once stopped, the consumer has left its group and refuses pauses and commits.
  let stopped = false;
  const notInGroup = () => new Error('Consumer group was not initialized, consumer#run must be called first');
  internals.consumer = {
    pause: (topics: { topic: string }[]) => {
      if (stopped) throw notInGroup();
      paused.push(topics.map((entry) => entry.topic));
    },
    resume: (topics: { topic: string }[]) => resumed.push(topics.map((entry) => entry.topic)),
    commitOffsets: (offsets: Harness['commits'][number]) => {
      if (stopped) return Promise.reject(notInGroup());
      commits.push(offsets);
      return Promise.resolve();
    },
    stop: () => {
      stopped = true;
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  };
  let beats = 0;
  const payload = {
    topic: TOPIC,
    partition: 2,
    message: {
      key: Buffer.from('b-1'),
      value: Buffer.from(JSON.stringify({ type: 'BookingPlaced' })),
      headers: {},
      offset: '41',
      timestamp: '0',
      attributes: 0,
    },
    heartbeat: async () => {
      beats += 1;
      await options.heartbeat?.();
    },
    pause: () => () => undefined,
  } as unknown as EachMessagePayload;
  return { server, sent, paused, resumed, heartbeats: () => beats, commits, payload };
}

/** A handler failing with the given errors in turn, then succeeding. */
function failing(...errors: Error[]): { handler: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    handler: () => {
      calls += 1;
      const error = errors[calls - 1];
      return error ? Promise.reject(error) : Promise.resolve();
    },
    calls: () => calls,
  };
}

describe('KafkaEventServer failure handling', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it("finds a topic's handler without parsing the topic name as JSON (no exception per message)", () => {
    const onTopic = () => Promise.resolve();
    const onCommand = () => Promise.resolve();
    const { server } = harness(onTopic);
    server.addHandler({ cmd: 'ping' }, onCommand, true);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server.getHandlerByPattern(TOPIC)).toBe(onTopic);
      expect(parse).not.toHaveBeenCalled();
      // A JSON pattern still resolves the way Nest resolves it.
      expect(server.getHandlerByPattern('{"cmd":"ping"}')).toBe(onCommand);
    } finally {
      parse.mockRestore();
    }
  });

  it('retries transient failures in place until applied, heartbeating, and never dead-letters them', async () => {
    const flaky = failing(...Array.from({ length: 12 }, deadlock));
    const h = harness(flaky.handler);
    await h.server.handleMessage(h.payload);
    expect(flaky.calls()).toBe(13);
    expect(h.sent).toEqual([]);
    expect(h.heartbeats()).toBeGreaterThanOrEqual(12);
    expect(h.server.state.counts).toMatchObject({ applied: 1, retried: 12 });
  });

  it('keeps heartbeating while a slow handler runs, and stops when it is done', async () => {
    jest.useFakeTimers();
    try {
      let release!: () => void;
      const slow = () => new Promise<void>((resolve) => (release = resolve));
      // A failing heartbeat (a rebalance under way) is kafkajs' business, not the handler's.
      const h = harness(slow, { heartbeat: () => Promise.reject(new Error('The group is rebalancing')) });
      const handled = h.server.handleMessage(h.payload);
      await jest.advanceTimersByTimeAsync(12_000);
      expect(h.heartbeats()).toBeGreaterThanOrEqual(10);
      release();
      await handled;
      const beats = h.heartbeats();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(h.heartbeats()).toBe(beats);
      expect(h.server.state.counts).toMatchObject({ applied: 1, retried: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('dead-letters poison at once, with the reason and where it came from', async () => {
    const poison = failing(
      new PoisonMessageError('Invalid BookingPlaced payload', ['size: must be S, M or L']),
    );
    const h = harness(poison.handler);
    await h.server.handleMessage(h.payload);
    expect(poison.calls()).toBe(1);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].topic).toBe(`${TOPIC}.dlq`);
    expect(h.sent[0].headers).toMatchObject({
      'dlq-original-topic': TOPIC,
      'dlq-original-partition': '2',
      'dlq-original-offset': '41',
      'dlq-failure-kind': 'poison',
      'dlq-attempts': '1',
    });
    expect(String(h.sent[0].headers['dlq-reason'])).toContain('size: must be S, M or L');
  });

  it('dead-letters a broken business rule at once', async () => {
    const rejected = failing(new RuleBroken('never'));
    const h = harness(rejected.handler);
    await h.server.handleMessage(h.payload);
    expect(rejected.calls()).toBe(1);
    expect(h.sent[0].headers['dlq-failure-kind']).toBe('rejected');
  });

  it('gives an unknown error a bounded number of attempts, then dead-letters it', async () => {
    const broken = failing(...Array.from({ length: 10 }, () => new TypeError('x is undefined')));
    const h = harness(broken.handler);
    await h.server.handleMessage(h.payload);
    expect(broken.calls()).toBe(3);
    expect(h.sent[0].headers).toMatchObject({ 'dlq-failure-kind': 'unknown', 'dlq-attempts': '3' });
    expect(h.server.state.counts.deadLettered.unknown).toBe(1);
  });

  it('takes an unknown error for the outage when the database probe fails too: paused, never dead-lettered', async () => {
    // Words no rule knows (a driver's new message for a lost server), while the server is gone.
    const strange = () => new Error('pg: socket hung up in an unforeseen way');
    const broken = failing(strange(), strange());
    let probes = 0;
    const h = harness(broken.handler, {
      // Down for the first four probes, as a server restarting, then up.
      probe: () => {
        probes += 1;
        return probes <= 4 ? Promise.reject(unavailable()) : Promise.resolve();
      },
    });
    await h.server.handleMessage(h.payload);
    // Failed, probed (down), paused; probed until up; failed again, probed (up: counted as one of
    // its three attempts); applied on the third try.
    expect(broken.calls()).toBe(3);
    expect(probes).toBeGreaterThan(4);
    expect(h.sent).toEqual([]);
    expect(h.paused).toEqual([[TOPIC]]);
    expect(h.resumed).toEqual([[TOPIC]]);
    expect(h.server.state.counts).toMatchObject({ applied: 1, deadLettered: { unknown: 0 } });
  });

  it('still dead-letters an unknown error after its attempts when the database probe answers', async () => {
    const broken = failing(...Array.from({ length: 10 }, () => new TypeError('x is undefined')));
    let probes = 0;
    const h = harness(broken.handler, {
      probe: () => {
        probes += 1;
        return Promise.resolve();
      },
    });
    await h.server.handleMessage(h.payload);
    expect(broken.calls()).toBe(3);
    expect(probes).toBe(3);
    expect(h.paused).toEqual([]);
    expect(h.sent[0].headers).toMatchObject({ 'dlq-failure-kind': 'unknown', 'dlq-attempts': '3' });
  });

  it('pauses every topic while the database is down, is unready, and resumes when the probe answers', async () => {
    let probes = 0;
    const ready: boolean[] = [];
    const down = failing(unavailable());
    const h = harness(down.handler, {
      probe: () => {
        probes += 1;
        ready.push(h.server.state.outage === undefined);
        return probes < 3 ? Promise.reject(unavailable()) : Promise.resolve();
      },
    });
    await h.server.handleMessage(h.payload);
    expect(down.calls()).toBe(2);
    expect(probes).toBe(3);
    expect(ready).toEqual([false, false, false]);
    expect(h.paused).toEqual([[TOPIC]]);
    expect(h.resumed).toEqual([[TOPIC]]);
    expect(h.server.state.outage).toBeUndefined();
    expect(h.sent).toEqual([]);
  });

  it('a database outage is never dead-lettered, however long it lasts', async () => {
    const down = failing(...Array.from({ length: 8 }, unavailable));
    const h = harness(down.handler);
    await h.server.handleMessage(h.payload);
    expect(down.calls()).toBe(9);
    expect(h.sent).toEqual([]);
    expect(h.resumed).toEqual([[TOPIC]]);
  });

  it('gives the message back uncommitted when the service stops mid-retry', async () => {
    const h = harness(() => Promise.reject(deadlock()));
    const handling = expect(h.server.handleMessage(h.payload)).rejects.toThrow(/stopping/);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await h.server.close();
    await handling;
    expect(h.sent).toEqual([]);
    expect(h.commits).toEqual([]);
  });

  it('commits the offsets of applied messages together, one request per interval, not per message', async () => {
    const h = harness(() => Promise.resolve());
    const at = (offset: string, partition = 2): EachMessagePayload => ({
      ...h.payload,
      partition,
      message: { ...h.payload.message, offset },
    });
    await h.server.handleMessage(at('41'));
    await h.server.handleMessage(at('42'));
    await h.server.handleMessage(at('7', 3));
    expect(h.commits).toEqual([]);
    const deadline = Date.now() + 5000;
    while (h.commits.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The next offset to read, per partition: Kafka's convention.
    expect(h.commits).toEqual([
      [
        { topic: TOPIC, partition: 2, offset: '43' },
        { topic: TOPIC, partition: 3, offset: '8' },
      ],
    ]);
  });

  it('commits a dead-lettered message too, and what was applied when it stops', async () => {
    const poison = failing(new PoisonMessageError('Invalid BookingPlaced payload', []));
    const h = harness(poison.handler);
    await h.server.handleMessage(h.payload);
    await h.server.close();
    expect(h.commits).toEqual([[{ topic: TOPIC, partition: 2, offset: '42' }]]);
  });

  it('lets a rebalance interrupt the wait so kafkajs can rejoin (the message stays uncommitted)', async () => {
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const h = harness(() => Promise.reject(deadlock()), { heartbeat: () => Promise.reject(rebalancing) });
    await expect(h.server.handleMessage(h.payload)).rejects.toBe(rebalancing);
    expect(h.sent).toEqual([]);
  });
});
