import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { deadLetterTopicFor, Topics } from '@storage/contracts';
import { DeadLetterQueue, type DeadLetter } from '../../tools/dlq/dead-letters';
import { kafka } from '../support/kafka';
import { RentalApi, uniquePeriod } from '../support/rental-api';
import { stackInfo } from '../support/stack-file';
import { System } from '../support/system';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');

function dlq(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tools', 'dlq', 'cli.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, KAFKA_BROKERS: stackInfo().brokers },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function placed(bookingId: string, customerId: string, size = 'S') {
  return {
    eventId: randomUUID(),
    type: 'BookingPlaced',
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: bookingId,
    causationId: null,
    payload: {
      bookingId,
      customerId,
      size,
      ...uniquePeriod(5),
      amount: 5000,
      currency: 'KRW',
      paymentId: randomUUID(),
    },
  };
}

/** `npm run dlq`: what an operator sees in the dead-letter topics, and what a replay does. */
describe('dead-letter tooling', () => {
  let system: System;
  let api: RentalApi;
  const queue = () => new DeadLetterQueue(stackInfo().brokers.split(','));
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });

  beforeAll(async () => {
    system = await System.start({ label: 'dead-letters', services: ['mypage'] });
    api = new RentalApi(system);
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await system?.stop();
  });

  const mine = (key: string) => (letters: DeadLetter[]) => letters.filter((letter) => letter.key === key);

  it('lists a poison message with its reason and age, and shows it whole', async () => {
    const bookingId = randomUUID();
    await producer.send({
      topic: Topics.bookingEvents,
      messages: [{ key: bookingId, value: JSON.stringify(placed(bookingId, 'dlq-poison', 'XL')) }],
    });
    const [letter] = await waitFor(
      'the poison message in the DLQ',
      async () => mine(bookingId)(await queue().read([deadLetterTopicFor(Topics.bookingEvents)])),
      (found) => found.length === 1,
    );
    expect(letter).toMatchObject({ kind: 'poison', state: 'pending', originalTopic: Topics.bookingEvents });
    expect(letter.reason).toContain('size');

    const listed = await dlq('list', '--topic', Topics.bookingEvents);
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((text) => text.includes(bookingId));
    expect(row).toMatch(/pending\s+age \d+[smhd]\s+kind poison/);
    expect(row).toContain('size');

    const shown = await dlq('show', `${letter.partition}:${letter.offset}`, '--topic', Topics.bookingEvents);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('dlq-reason:');
    expect(shown.stdout).toContain('"size": "XL"');
  });

  it('replays a repaired message to its topic once: applied once, then marked replayed', async () => {
    const bookingId = randomUUID();
    const event = placed(bookingId, 'dlq-replay');
    // As the consumer dead-letters a message whose handler kept failing (since fixed): twice, even.
    const record = {
      key: bookingId,
      value: JSON.stringify(event),
      headers: {
        'event-type': 'BookingPlaced',
        'dlq-original-topic': Topics.bookingEvents,
        'dlq-failure-kind': 'unknown',
        'dlq-reason': 'TypeError: a bug since fixed',
        'dlq-failed-at': new Date().toISOString(),
      },
    };
    await producer.send({ topic: deadLetterTopicFor(Topics.bookingEvents), messages: [record, record] });
    const letters = await waitFor(
      'both dead letters listed',
      async () => mine(bookingId)(await queue().read([deadLetterTopicFor(Topics.bookingEvents)])),
      (found) => found.length === 2,
    );
    const references = letters.map((letter) => `${letter.partition}:${letter.offset}`);

    const dry = await dlq('replay', '--topic', Topics.bookingEvents, '--offset', references[0], '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would replay');
    expect((await api.mypage(bookingId)).status).toBe(404);

    const replayed = await dlq('replay', '--topic', Topics.bookingEvents, '--offset', references.join(','));
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('2 dead letter(s) replayed');
    const view = await api.waitForMypage(bookingId, (found) => found.status === 'PAID', 'PAID');
    // The same event twice: applied once.
    expect(view.timeline.filter((entry) => entry.eventId === event.eventId)).toHaveLength(1);

    const states = mine(bookingId)(await queue().read([deadLetterTopicFor(Topics.bookingEvents)]));
    expect(states.map((letter) => letter.state)).toEqual(['replayed', 'replayed']);
    const again = await dlq('replay', '--topic', Topics.bookingEvents, '--offset', references[0]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Already replayed');
    const pending = await dlq('list', '--topic', Topics.bookingEvents);
    expect(pending.stdout).not.toContain(bookingId);
  });

  it('discards a message without publishing it', async () => {
    const bookingId = randomUUID();
    await producer.send({
      topic: deadLetterTopicFor(Topics.bookingEvents),
      messages: [
        {
          key: bookingId,
          value: JSON.stringify(placed(bookingId, 'dlq-discard')),
          headers: { 'dlq-reason': 'x' },
        },
      ],
    });
    const [letter] = await waitFor(
      'the dead letter listed',
      async () => mine(bookingId)(await queue().read([deadLetterTopicFor(Topics.bookingEvents)])),
      (found) => found.length === 1,
    );
    const discarded = await dlq(
      'discard',
      '--topic',
      Topics.bookingEvents,
      '--offset',
      `${letter.partition}:${letter.offset}`,
    );
    expect(discarded.code).toBe(0);
    const [after] = mine(bookingId)(await queue().read([deadLetterTopicFor(Topics.bookingEvents)]));
    expect(after.state).toBe('discarded');
    expect((await api.mypage(bookingId)).status).toBe(404);
  });

  it('refuses unknown commands and options with a usage message', async () => {
    const result = await dlq('replay', '--topic', Topics.bookingEvents);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs --all or --offset');
  });

  it.each(['1:2:3', '2x', ':4', '-1'])(
    'refuses %s as a dead letter reference, acting on none',
    async (reference) => {
      const shown = await dlq('show', reference);
      expect(shown.code).toBe(2);
      expect(shown.stderr).toContain(`Not a [partition:]offset: ${reference}`);
      // Checked before any reference is looked up: the good one first changes nothing.
      const discarded = await dlq('discard', '--offset', `0,${reference}`);
      expect(discarded.code).toBe(2);
      expect(discarded.stderr).toContain(`Not a [partition:]offset: ${reference}`);
    },
  );
});
