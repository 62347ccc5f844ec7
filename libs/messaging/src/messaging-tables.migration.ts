import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OutboxNotifyTrigger1765000000000 } from './outbox-notify-trigger.migration';
import { OutboxParking1764600000000 } from './outbox-parking.migration';

/** Outbox and inbox tables, the same in every service that publishes or consumes events. */
export class MessagingTables1763700000000 implements MigrationInterface {
  name = 'MessagingTables1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_message (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic varchar(200) NOT NULL,
        message_key varchar(200) NOT NULL,
        event_type varchar(200) NOT NULL,
        envelope jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL
      )`);
    await runner.query(
      `CREATE INDEX outbox_message_unpublished_idx ON outbox_message (id) WHERE published_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE inbox_message (
        consumer varchar(100) NOT NULL,
        event_id uuid NOT NULL,
        event_type varchar(200) NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox_message');
    await runner.query('DROP TABLE outbox_message');
  }
}

/** Every migration of the messaging tables, in order: each data service runs them first. */
export const MESSAGING_MIGRATIONS = [
  MessagingTables1763700000000,
  OutboxParking1764600000000,
  OutboxNotifyTrigger1765000000000,
];
