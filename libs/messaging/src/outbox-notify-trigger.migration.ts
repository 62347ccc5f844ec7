import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's wake-up call comes from the table itself: one NOTIFY per inserting statement,
 * delivered on commit, instead of a `SELECT pg_notify()` round trip after every event. Postgres
 * folds identical notifications of one transaction into one.
 */
export class OutboxNotifyTrigger1765000000000 implements MigrationInterface {
  name = 'OutboxNotifyTrigger1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION outbox_message_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_message_added', '');
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_message_notify()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TRIGGER outbox_message_notify ON outbox_message');
    await runner.query('DROP FUNCTION outbox_message_notify()');
  }
}
