import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ServerKafka } from '@nestjs/microservices';
import {
  logLevel,
  Partitioners,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type Producer,
} from 'kafkajs';
import { EventHeaders, deadLetterTopicFor } from '@storage/contracts';
import { endSpan, runWithRequestContext, SpanKind, startSpan, tracingExported } from '@storage/observability';
import { classifyFailure, probingClassifier, type FailureKind } from './failure-kind';
import { ConsumerLagGauge, consumerCounters } from './kafka-consumer.metrics';
import { kafkaLogCreator } from './kafka-log';
import { retryBackoffMs } from './retry-backoff';

export interface KafkaEventServerOptions {
  brokers: string[];
  clientId: string;
  /** One group per service: replicas share the partitions, services each see every event. */
  groupId: string;
  /** Attempts of a handler failing for an unknown reason before its message is dead-lettered. */
  maxAttempts: number;
  /** First retry wait; it doubles per attempt up to `maxRetryBackoffMs` (with jitter). */
  retryBackoffMs: number;
  maxRetryBackoffMs?: number;
  /**
   * Succeeds when the database answers again. While it fails the consumer stays paused; without
   * one, the retried message itself is the probe.
   */
  databaseProbe?: () => Promise<void>;
  /**
   * How often the offsets of applied messages are committed. kafkajs' auto-commit sends an
   * OffsetCommit after every batch, which at a few events per partition per second is one per
   * event; a crash now redelivers at most this long of applied events, which every consumer
   * applies once (its inbox, or an idempotent view's own keys).
   */
  commitIntervalMs?: number;
}

/** Consumer liveness as kafkajs reports it, plus what the failure handling is doing right now. */
export interface ConsumerState {
  joined: boolean;
  lastJoinAt?: Date;
  lastHeartbeatAt?: Date;
  crashed?: string;
  /** Set while the database is unreachable: partitions paused, readiness red. */
  outage?: { since: Date; reason: string };
  /** In-process restarts after kafkajs gave up on the consumer. */
  restarts: number;
  counts: {
    applied: number;
    retried: number;
    deadLettered: Record<'poison' | 'rejected' | 'unknown', number>;
  };
}

/** The message in hand goes back to Kafka uncommitted: the service is stopping. */
class ConsumerStoppingError extends Error {
  constructor() {
    super('Consumer is stopping; the message will be redelivered');
    this.name = 'ConsumerStoppingError';
  }
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const HEARTBEAT_SLICE_MS = 1000;
/** See the consumer options: how long the group keeps a member that has stopped heartbeating. */
const SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_COMMIT_INTERVAL_MS = 1000;
const MAX_PROBE_INTERVAL_MS = 5000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Nest's Kafka transport with the failure handling it lacks (nestjs/nest#14664). A failed handler
 * is classified once (`classifyFailure`):
 * - poison and business rejections go to `<topic>.dlq` at once with the reason, offset moves on;
 * - transient failures and an unreachable database are retried in place, for as long as it
 *   takes, with capped exponential back-off and jitter: the offset never moves past a valid
 *   message that was not applied, and the partition keeps its order;
 * - while the database is down every assigned partition is paused and readiness is red, until a
 *   probe succeeds;
 * - unknown errors get `maxAttempts`, then the DLQ with an alert-level log line; one that meets
 *   the database probe failing is the outage's instead (words for an outage no rule knows yet).
 * Waiting keeps the group session alive (heartbeats); a rebalance or a shutdown interrupts the
 * wait and leaves the message uncommitted for whoever owns the partition next. A consumer that
 * kafkajs crashes for good is restarted in-process. Each message runs in a request context built
 * from its headers, so its log lines and the events it causes carry the same ids.
 */
export class KafkaEventServer extends ServerKafka {
  readonly state: ConsumerState = {
    joined: false,
    restarts: 0,
    counts: { applied: 0, retried: 0, deadLettered: { poison: 0, rejected: 0, unknown: 0 } },
  };
  private readonly log = new Logger('KafkaEventServer');
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private restartAttempts = 0;
  private probing?: Promise<void>;
  /**
   * `classifyFailure`, asking the database probe (when there is one) about unknown failures. The
   * service's HTTP error filter answers by the same rule (runDataService), sharing its probes.
   */
  readonly classify: (error: unknown) => Promise<FailureKind>;
  /** Next offset to commit per topic-partition: messages applied or dead-lettered, not committed. */
  private readonly uncommitted = new Map<string, { topic: string; partition: number; offset: string }>();
  private commitTimer?: NodeJS.Timeout;
  /** Next offset to read per owned topic-partition (what the lag metric counts from). */
  private readonly positions = new Map<string, bigint>();
  private readonly lag: ConsumerLagGauge;
  private lagTopics: readonly string[] = [];

  constructor(private readonly eventOptions: KafkaEventServerOptions) {
    super({
      client: {
        clientId: eventOptions.clientId,
        brokers: eventOptions.brokers,
        retry: { initialRetryTime: 300, retries: 8 },
        logLevel: logLevel.WARN,
        logCreator: kafkaLogCreator('KafkaEventServer'),
      },
      consumer: {
        groupId: eventOptions.groupId,
        // A member that stops heartbeating (its process killed, frozen or cut off) loses its
        // partitions after this long, and a replacement's join waits that long for it: 10 s
        // instead of kafkajs' 30. A slow handler keeps heartbeating (keepingSession).
        sessionTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: 3_000,
        allowAutoTopicCreation: false,
        retry: { retries: 10 },
      },
      subscribe: { fromBeginning: true },
      run: { autoCommit: false, partitionsConsumedConcurrently: 3 },
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
      // The group id must be exactly what operators configure, not Nest's "-server" suffixed one.
      postfixId: '',
    });
    this.lag = new ConsumerLagGauge({
      groupId: eventOptions.groupId,
      createAdmin: () => this.client?.admin() ?? null,
      consumer: () => this.consumer,
      topics: () => this.subscribedTopics().map(({ topic }) => topic),
      watchedTopics: () => this.lagTopics,
      position: (topic, partition) => this.positions.get(`${topic}:${partition}`),
    });
    const probe = eventOptions.databaseProbe;
    this.classify = probe ? probingClassifier(probe) : (error) => Promise.resolve(classifyFailure(error));
  }

  /**
   * The topics whose other consumer groups' lag this service reports too (those it publishes and
   * reads): a consumer that is down cannot report its own.
   */
  reportLagOf(topics: readonly string[]): void {
    this.lagTopics = topics;
  }

  /**
   * Nest's own version tries JSON.parse on every message's pattern and catches the SyntaxError a
   * topic name always raises: an exception built and thrown per message (6 us of CPU each with
   * source maps on; 0.05 us this way). Our patterns are topic names; a JSON pattern still goes
   * Nest's way.
   */
  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    await super.bindEvents(consumer);
    // Every topic's counters exist from the start: a rate over a series that appears only at its
    // first dead letter misses that first one.
    for (const { topic } of this.subscribedTopics()) {
      consumerCounters.declare(topic);
    }
  }

  override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer as Consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Offsets of partitions now someone else's are theirs to commit.
      const assigned = event.payload.memberAssignment;
      for (const [key, entry] of this.uncommitted) {
        if (!assigned[entry.topic]?.includes(entry.partition)) {
          this.uncommitted.delete(key);
        }
      }
      this.positions.clear();
      this.state.joined = true;
      this.state.lastJoinAt = new Date();
      this.state.crashed = undefined;
      this.restartAttempts = 0;
    });
    consumer.on(consumer.events.FETCH, () => consumerCounters.fetched());
    consumer.on(consumer.events.HEARTBEAT, () => {
      this.state.lastHeartbeatAt = new Date();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.state.joined = false;
    });
    consumer.on(consumer.events.STOP, () => {
      this.state.joined = false;
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.state.joined = false;
      this.state.crashed = String(event.payload.error);
      if (!event.payload.restart && !this.stopping) {
        this.scheduleRestart(event.payload.error);
      }
    });
  }

  override async close(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.commitTimer);
    // What was applied is committed while this member still owns its partitions: once stopped it
    // has left the group, and kafkajs refuses a commit ("Consumer group was not initialized"),
    // which left every message applied since the last commit to be redelivered. Pausing first to
    // take in the messages in hand would cost the stop kafkajs' 5 s sleep of a fully paused
    // consumer: those few are redelivered to the next owner instead, and its inbox skips them.
    await this.commitApplied();
    // Then the messages in hand finish (those waiting out a failure are given back) and the
    // consumer leaves its group.
    this.wakeSleepers();
    await (this.consumer as Consumer | undefined)?.stop();
    await this.lag.close();
    await super.close();
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const headers = message.headers;
    // The producer's span (the relay's publish) is the parent: one booking, one trace.
    const span = startSpan(`${topic} process`, {
      kind: SpanKind.CONSUMER,
      parent: headerText(headers, EventHeaders.traceparent),
      attributes: tracingExported()
        ? {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': topic,
            'messaging.destination.partition.id': String(partition),
            'messaging.kafka.offset': Number(message.offset),
            'messaging.consumer.group.name': this.eventOptions.groupId,
            'messaging.message.type': headerText(headers, EventHeaders.eventType) ?? 'unknown',
          }
        : undefined,
    });
    const context = {
      requestId: headerText(headers, EventHeaders.requestId) ?? randomUUID(),
      correlationId: headerText(headers, EventHeaders.correlationId) ?? message.key?.toString(),
      causationId: headerText(headers, EventHeaders.eventId),
      span,
    };
    consumerCounters.consumed(topic);
    try {
      await runWithRequestContext(context, () => this.deliver(payload));
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
    endSpan(span);
    this.markApplied(payload);
  }

  /** Its offset is committed with the next batch of commits (kafkajs' own auto-commit is off). */
  private markApplied({ topic, partition, message }: EachMessagePayload): void {
    // One partition's messages are handled one at a time, in order: the latest is the highest.
    const next = BigInt(message.offset) + 1n;
    this.uncommitted.set(`${topic}:${partition}`, { topic, partition, offset: next.toString() });
    this.positions.set(`${topic}:${partition}`, next);
    this.scheduleCommit();
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) {
      return;
    }
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitApplied();
    }, this.eventOptions.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
  }

  /** Commits the applied offsets; on failure they wait for the next commit (or are redelivered). */
  private async commitApplied(): Promise<void> {
    const consumer = this.consumer as Consumer | undefined;
    if (this.uncommitted.size === 0 || !consumer) {
      return;
    }
    const offsets = [...this.uncommitted.values()];
    this.uncommitted.clear();
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // A rebalance or the coordinator moving: whoever owns the partition next starts from the
      // last committed offset, and the inbox skips what was applied already.
      for (const entry of offsets) {
        const key = `${entry.topic}:${entry.partition}`;
        if (!this.uncommitted.has(key)) {
          this.uncommitted.set(key, entry);
        }
      }
      this.log.warn({
        msg: this.stopping
          ? 'Committing consumer offsets failed while stopping; their messages are redelivered, and the inbox skips them'
          : 'Committing consumer offsets failed; retrying',
        err: describe(error),
      });
      this.scheduleCommit();
    }
  }

  private async deliver(payload: EachMessagePayload): Promise<void> {
    let unknownFailures = 0;
    for (let attempt = 1; ; attempt += 1) {
      await this.whileDatabaseDown(payload);
      let kind: FailureKind;
      try {
        await this.keepingSession(payload, () => super.handleMessage(payload));
        this.state.counts.applied += 1;
        consumerCounters.applied(payload.topic);
        if (this.state.outage && !this.eventOptions.databaseProbe) {
          this.endOutage();
        }
        return;
      } catch (error) {
        kind = await this.keepingSession(payload, () => this.classify(error));
        if (kind === 'poison' || kind === 'rejected') {
          await this.deadLetter(payload, error, attempt, kind);
          return;
        }
        if (kind === 'unknown' && (unknownFailures += 1) >= this.eventOptions.maxAttempts) {
          // Not silent: an operator must look at this one, fix the cause and replay it.
          this.log.error({
            msg: 'Event dead-lettered after repeated unexpected failures; replay it once the cause is fixed',
            alert: 'EVENT_DEAD_LETTERED_UNEXPECTED_ERROR',
            topic: payload.topic,
            partition: payload.partition,
            offset: payload.message.offset,
            err: error instanceof Error ? error.stack : String(error),
          });
          await this.deadLetter(payload, error, attempt, kind);
          return;
        }
        if (kind === 'database-unavailable') {
          this.startOutage(error);
        }
        this.state.counts.retried += 1;
        consumerCounters.retried(payload.topic, kind);
        // The first failure and then every tenth: an outage must not flood the log.
        if (attempt === 1 || attempt % 10 === 0) {
          this.log.warn({
            msg: 'Event handler failed; retrying (the offset stays until it is applied)',
            topic: payload.topic,
            partition: payload.partition,
            offset: payload.message.offset,
            attempt,
            kind,
            err: describe(error),
          });
        }
      }
      await this.wait(payload, this.backoff(attempt));
    }
  }

  /**
   * Runs a handler while heartbeating for it: kafkajs heartbeats only between messages, and a
   * handler may wait on a stalled database for up to the reply watchdog's limit (twice the
   * statement timeout), longer than the session lasts. A failed heartbeat (a rebalance under way)
   * is left to kafkajs, which sees it at the next message; this one's offset then stays
   * uncommitted and the inbox makes its redelivery a no-op.
   */
  private async keepingSession<T>(payload: EachMessagePayload, handle: () => Promise<T>): Promise<T> {
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_SLICE_MS);
    try {
      return await handle();
    } finally {
      clearInterval(beat);
    }
  }

  private backoff(attempt: number): number {
    return retryBackoffMs(
      attempt,
      this.eventOptions.retryBackoffMs,
      this.eventOptions.maxRetryBackoffMs ?? 10_000,
    );
  }

  /**
   * Sleeps in slices, heartbeating between them so the group keeps this member. A rebalance makes
   * heartbeat() throw: that error goes back to kafkajs, which rejoins and redelivers the message.
   */
  private async wait(payload: EachMessagePayload, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (this.stopping) {
        throw new ConsumerStoppingError();
      }
      await payload.heartbeat();
      const left = until - Date.now();
      if (left <= 0) {
        return;
      }
      await this.sleep(Math.min(left, HEARTBEAT_SLICE_MS));
    }
  }

  private async whileDatabaseDown(payload: EachMessagePayload): Promise<void> {
    while (this.state.outage && this.eventOptions.databaseProbe) {
      await this.wait(payload, HEARTBEAT_SLICE_MS);
    }
  }

  private startOutage(error: unknown): void {
    if (this.state.outage) {
      return;
    }
    this.state.outage = { since: new Date(), reason: describe(error) };
    this.consumer?.pause(this.subscribedTopics());
    this.log.error({
      msg: 'Database unreachable: consumer paused until it answers again',
      reason: this.state.outage.reason,
    });
    if (this.eventOptions.databaseProbe) {
      this.probing ??= this.probeUntilBack(this.eventOptions.databaseProbe).finally(() => {
        this.probing = undefined;
      });
    }
  }

  private async probeUntilBack(probe: () => Promise<void>): Promise<void> {
    for (let attempt = 1; this.state.outage && !this.stopping; attempt += 1) {
      await this.sleep(retryBackoffMs(attempt, 250, MAX_PROBE_INTERVAL_MS));
      try {
        await probe();
        this.endOutage();
      } catch {
        // Still down; the next probe waits longer.
      }
    }
  }

  private endOutage(): void {
    const outage = this.state.outage;
    if (!outage) {
      return;
    }
    this.state.outage = undefined;
    this.consumer?.resume(this.subscribedTopics());
    this.log.warn({
      msg: 'Database answers again: consumer resumed',
      pausedForMs: Date.now() - outage.since.getTime(),
    });
    this.wakeSleepers();
  }

  private subscribedTopics(): { topic: string }[] {
    return [...this.messageHandlers.keys()].map((topic) => ({ topic }));
  }

  private async deadLetter(
    payload: EachMessagePayload,
    error: unknown,
    attempts: number,
    kind: 'poison' | 'rejected' | 'unknown',
  ): Promise<void> {
    const { topic, partition, message } = payload;
    const reason = describe(error);
    this.log.error({
      msg: 'Event dead-lettered',
      topic,
      partition,
      offset: message.offset,
      attempts,
      kind,
      reason,
    });
    const record = {
      topic: deadLetterTopicFor(topic),
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-original-topic': topic,
            'dlq-original-partition': String(partition),
            'dlq-original-offset': message.offset,
            'dlq-consumer-group': this.eventOptions.groupId,
            'dlq-attempts': String(attempts),
            'dlq-failure-kind': kind,
            'dlq-reason': reason.slice(0, 1000),
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    };
    // The offset moves on only once the dead letter is safely written: a broker hiccup here is
    // waited out like any transient failure.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await (this.producer as Producer).send(record);
        this.state.counts.deadLettered[kind] += 1;
        consumerCounters.deadLettered(topic, kind);
        return;
      } catch (sendError) {
        this.log.warn({
          msg: 'Writing a dead letter failed; retrying',
          topic,
          attempt,
          err: describe(sendError),
        });
        await this.wait(payload, this.backoff(attempt));
      }
    }
  }

  /** kafkajs stops for good after a non-retriable crash; a consumer that silently stopped is worse. */
  private scheduleRestart(error: unknown): void {
    this.restartAttempts += 1;
    const delayMs = retryBackoffMs(this.restartAttempts, 1000, MAX_RESTART_DELAY_MS);
    this.log.error({
      msg: 'Kafka consumer crashed and kafkajs will not restart it; restarting it in-process',
      alert: 'KAFKA_CONSUMER_CRASHED',
      delayMs,
      err: describe(error),
    });
    setTimeout(() => void this.restartConsumer(), delayMs).unref();
  }

  private async restartConsumer(): Promise<void> {
    const consumer = this.consumer;
    if (this.stopping || !consumer) {
      return;
    }
    try {
      await consumer.connect();
      await this.bindEvents(consumer);
      this.state.restarts += 1;
    } catch (error) {
      this.scheduleRestart(error);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wakeSleepers(): void {
    [...this.sleepers].forEach((wake) => wake());
  }
}
