import { type DynamicModule, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { logLevel, Partitioners } from 'kafkajs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { replyStallMs } from '@storage/persistence';
import { Inbox } from './inbox';
import { KafkaEventServer } from './kafka-event-server';
import { kafkaLogCreator } from './kafka-log';
import { KafkaReadinessCheck } from './kafka-readiness.check';
import { Outbox } from './outbox';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { watchMessagingTables } from './outbox.metrics';

export interface MessagingModuleOptions {
  brokers: string[];
  clientId: string;
  databaseUrl: string;
  /** The service's consumer, when it consumes; its state feeds readiness. */
  server?: KafkaEventServer;
  relay?: Partial<Omit<OutboxRelayOptions, 'databaseUrl'>>;
}

export function createProducerClient(brokers: string[], clientId: string): ClientKafka {
  return new ClientKafka({
    client: {
      clientId: `${clientId}-producer`,
      brokers,
      retry: { initialRetryTime: 200, retries: 3 },
      requestTimeout: 5000,
      logLevel: logLevel.WARN,
      // The relay is this client's one user: its lines carry the relay's name.
      logCreator: kafkaLogCreator('OutboxRelay'),
    },
    // Murmur2 on the key: every event of one booking lands on the same partition, in order.
    producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    producerOnlyMode: true,
  });
}

class ReadinessCloser implements OnApplicationShutdown {
  constructor(@Inject(KafkaReadinessCheck) private readonly check: KafkaReadinessCheck) {}
  async onApplicationShutdown(): Promise<void> {
    await this.check.close();
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const relayOptions: OutboxRelayOptions = {
      databaseUrl: options.databaseUrl,
      batchSize: options.relay?.batchSize ?? 200,
      pollIntervalMs: options.relay?.pollIntervalMs ?? 1000,
      retentionHours: options.relay?.retentionHours ?? 24,
      inboxRetentionHours: options.relay?.inboxRetentionHours ?? 14 * 24,
      maxPublishAttempts: options.relay?.maxPublishAttempts ?? 5,
      replyStallMs: options.relay?.replyStallMs ?? replyStallMs(),
    };
    return {
      module: MessagingModule,
      global: true,
      providers: [
        Outbox,
        Inbox,
        {
          provide: OutboxRelay,
          useFactory: (dataSource: DataSource) => {
            watchMessagingTables(dataSource);
            return new OutboxRelay(
              dataSource,
              createProducerClient(options.brokers, options.clientId),
              relayOptions,
            );
          },
          inject: [getDataSourceToken()],
        },
        {
          provide: KafkaReadinessCheck,
          useFactory: () => new KafkaReadinessCheck(options.brokers, options.clientId, options.server),
        },
        ReadinessCloser,
      ],
      exports: [Outbox, Inbox, OutboxRelay, KafkaReadinessCheck],
    };
  }
}
