import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataServiceConfig } from '@storage/config';
import { ensureTopics, type KafkaEventServer } from '@storage/messaging';
import { loadConfigOrExit, runService } from '@storage/service-kit';
import { createEventServer } from './data-service.module';

export interface DataServiceDefinition<C extends DataServiceConfig> {
  /** Names the logs, the metrics, the Kafka client and the consumer group. */
  name: string;
  title: string;
  description: string;
  /** The service's config class, loaded from the environment (a bad variable stops the process, named). */
  config: new () => C;
  /** The topics the service publishes or consumes (created when missing). */
  topics: readonly string[];
  module: (config: C, server: KafkaEventServer) => DynamicModule;
}

/** Starts a service with its own database and Kafka consumer (every one but the gateway). */
export function runDataService<C extends DataServiceConfig>(
  definition: DataServiceDefinition<C>,
): Promise<NestFastifyApplication> {
  const config = loadConfigOrExit(definition.config, definition.name);
  const server = createEventServer(config, definition.name);
  return runService({
    name: definition.name,
    title: definition.title,
    description: definition.description,
    config,
    module: definition.module(config, server),
    kafka: {
      server,
      topics: definition.topics,
      ensureTopics: () =>
        ensureTopics({
          brokers: config.KAFKA_BROKERS,
          topics: definition.topics,
          partitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          clientId: definition.name,
        }),
    },
    // The consumer's rule, probe included: a failure no rule knows answers 503 rather than 500
    // while the database does not answer a fresh connection either.
    classifyFailure: (error) => server.classify(error),
  });
}
