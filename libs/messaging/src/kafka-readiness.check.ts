import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { ReadinessCheck } from '@storage/health';
import type { KafkaEventServer } from './kafka-event-server';

/**
 * Kafka readiness without a new client per probe: one long-lived admin connection answers
 * "is the broker reachable", and the running consumer's own events answer "has it joined its group".
 */
export class KafkaReadinessCheck implements ReadinessCheck {
  readonly name = 'kafka';
  private readonly admin: Admin;
  private connected = false;

  constructor(
    brokers: string[],
    clientId: string,
    private readonly server?: KafkaEventServer,
  ) {
    const kafka = new Kafka({
      clientId: `${clientId}-health`,
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 1500,
      retry: { retries: 0 },
    });
    this.admin = kafka.admin({ retry: { retries: 0 } });
  }

  async check(): Promise<{ up: boolean; details?: Record<string, unknown> }> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const cluster = await this.admin.describeCluster();
      const consumer = this.server?.state;
      if (consumer?.outage) {
        return {
          up: false,
          details: { brokers: cluster.brokers.length, consumer: 'paused: database unreachable', ...consumer },
        };
      }
      if (consumer && !consumer.joined) {
        return {
          up: false,
          details: { brokers: cluster.brokers.length, consumer: 'not in group', ...consumer },
        };
      }
      return {
        up: true,
        details: {
          brokers: cluster.brokers.length,
          consumer: consumer ? 'joined' : 'none',
          ...(consumer ? { restarts: consumer.restarts, counts: consumer.counts } : {}),
        },
      };
    } catch (error) {
      this.connected = false;
      await this.admin.disconnect().catch(() => undefined);
      return { up: false, details: { reason: error instanceof Error ? error.message : String(error) } };
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}
