import { type DynamicModule, Module } from '@nestjs/common';
import type { DataServiceConfig } from '@storage/config';
import { TransientFaults } from '@storage/ddd';
import { HealthModule } from '@storage/health';
import {
  InboxMessageOrmEntity,
  KafkaEventServer,
  KafkaReadinessCheck,
  MessagingModule,
  MESSAGING_MIGRATIONS,
  OutboxMessageOrmEntity,
} from '@storage/messaging';
import {
  PersistenceModule,
  probeDatabase,
  replyStallMs,
  type PersistenceOptions,
} from '@storage/persistence';
import { RetryingTransientFaults } from './retrying-transient-faults';

export interface DataServiceModuleOptions {
  /** Service name: Kafka client id and consumer group. */
  name: string;
  config: DataServiceConfig;
  /** The service's consumer, when it consumes; its state feeds readiness. */
  server?: KafkaEventServer;
  entities: PersistenceOptions['entities'];
  migrations: PersistenceOptions['migrations'];
}

/**
 * What every service that owns a database and talks over Kafka has: its database (with the
 * outbox and inbox tables), the outbox relay and inbox, readiness on both, and TransientFaults
 * (waiting out the faults its consumers wait out).
 */
@Module({})
export class DataServiceModule {
  static forRoot(options: DataServiceModuleOptions): DynamicModule {
    const { config } = options;
    const persistence = PersistenceModule.forRoot({
      url: config.DATABASE_URL,
      poolSize: config.DB_POOL_SIZE,
      preparedStatements: config.DB_PREPARED_STATEMENTS,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      entities: [...(options.entities as []), OutboxMessageOrmEntity, InboxMessageOrmEntity],
      migrations: [...MESSAGING_MIGRATIONS, ...(options.migrations as [])],
    });
    return {
      module: DataServiceModule,
      imports: [
        persistence,
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: options.name,
          databaseUrl: config.DATABASE_URL,
          server: options.server,
          relay: { replyStallMs: replyStallMs(config.DB_STATEMENT_TIMEOUT_MS) },
        }),
        HealthModule.forRoot({ database: true, checkTokens: [KafkaReadinessCheck] }),
      ],
      providers: [{ provide: TransientFaults, useClass: RetryingTransientFaults }],
      exports: [persistence, TransientFaults],
    };
  }
}

/** The service's consumer: one group per service, so replicas share partitions. */
export function createEventServer(config: DataServiceConfig, name: string): KafkaEventServer {
  return new KafkaEventServer({
    brokers: config.KAFKA_BROKERS,
    clientId: name,
    groupId: name,
    maxAttempts: 5,
    retryBackoffMs: 200,
    maxRetryBackoffMs: 10_000,
    databaseProbe: () => probeDatabase(config.DATABASE_URL),
  });
}
