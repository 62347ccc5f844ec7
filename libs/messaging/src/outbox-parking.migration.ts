import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Parking for outbox rows the broker refuses for good (too large, invalid): they stop holding up
 * every other row, and hold back only later rows of their own key, so per-key order is kept.
 */
export class OutboxParking1764600000000 implements MigrationInterface {
  name = 'OutboxParking1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox_message ADD COLUMN parked_at timestamptz NULL');
    await runner.query(
      'CREATE INDEX outbox_message_parked_key_idx ON outbox_message (message_key) WHERE parked_at IS NOT NULL',
    );
    await runner.query('CREATE INDEX inbox_message_processed_at_idx ON inbox_message (processed_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX inbox_message_processed_at_idx');
    await runner.query('DROP INDEX outbox_message_parked_key_idx');
    await runner.query('ALTER TABLE outbox_message DROP COLUMN parked_at');
  }
}
