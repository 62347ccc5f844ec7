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
import { runWithRequestContext } from '@storage/observability';
import { PoisonMessageError } from './event-errors';

export interface KafkaEventServerOptions {
  brokers: string[];
  clientId: string;
  /** One group per service: replicas share the partitions, services each see every event. */
  groupId: string;
  /** Attempts of a handler before its message is dead-lettered (transient failures only). */
  maxAttempts: number;
  retryBackoffMs: number;
}

/** Consumer liveness as kafkajs reports it; readiness reads it instead of opening new clients. */
export interface ConsumerState {
  joined: boolean;
  lastJoinAt?: Date;
  lastHeartbeatAt?: Date;
  crashed?: string;
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Nest's Kafka transport with the failure handling it lacks (nestjs/nest#14664): a handler error
 * is retried a bounded number of times, then the message goes to `<topic>.dlq` with the reason and
 * its offset is committed, so one bad message never blocks a partition. Poison (invalid) messages
 * skip the retries. Each message runs in a request context built from its headers, so its log
 * lines and the events it causes carry the same request and correlation ids.
 */
export class KafkaEventServer extends ServerKafka {
  readonly state: ConsumerState = { joined: false };
  private readonly log = new Logger('KafkaEventServer');

  constructor(private readonly eventOptions: KafkaEventServerOptions) {
    super({
      client: {
        clientId: eventOptions.clientId,
        brokers: eventOptions.brokers,
        retry: { initialRetryTime: 300, retries: 8 },
        logLevel: logLevel.WARN,
      },
      consumer: {
        groupId: eventOptions.groupId,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        allowAutoTopicCreation: false,
        retry: { retries: 10 },
      },
      subscribe: { fromBeginning: true },
      run: { autoCommit: true, partitionsConsumedConcurrently: 3 },
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
      // The group id must be exactly what operators configure, not Nest's "-server" suffixed one.
      postfixId: '',
    });
  }

  override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer as Consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.state.joined = true;
      this.state.lastJoinAt = new Date();
      this.state.crashed = undefined;
    });
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
    });
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const headers = payload.message.headers;
    const context = {
      requestId: headerText(headers, EventHeaders.requestId) ?? randomUUID(),
      correlationId: headerText(headers, EventHeaders.correlationId) ?? payload.message.key?.toString(),
      traceparent: headerText(headers, EventHeaders.traceparent),
    };
    await runWithRequestContext(context, () => this.handleWithRetries(payload));
  }

  private async handleWithRetries(payload: EachMessagePayload): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await super.handleMessage(payload);
        return;
      } catch (error) {
        const poison = error instanceof PoisonMessageError;
        if (poison || attempt >= this.eventOptions.maxAttempts) {
          await this.deadLetter(payload, error, attempt);
          return;
        }
        this.log.warn({
          msg: 'Event handler failed; retrying',
          topic: payload.topic,
          partition: payload.partition,
          offset: payload.message.offset,
          attempt,
          err: String(error),
        });
        await payload.heartbeat();
        await new Promise((resolve) =>
          setTimeout(resolve, this.eventOptions.retryBackoffMs * 2 ** (attempt - 1)),
        );
      }
    }
  }

  private async deadLetter(payload: EachMessagePayload, error: unknown, attempts: number): Promise<void> {
    const { topic, partition, message } = payload;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log.error({
      msg: 'Event dead-lettered',
      topic,
      partition,
      offset: message.offset,
      attempts,
      reason,
    });
    // If this send fails the error propagates and kafkajs redelivers: never drop a message silently.
    await (this.producer as Producer).send({
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
            'dlq-reason': reason.slice(0, 1000),
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
  }
}
