import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMypage1763700000400 implements MigrationInterface {
  name = 'CreateMypage1763700000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE booking_view (
        booking_id uuid PRIMARY KEY,
        customer_id varchar(100) NULL,
        status varchar(20) NULL,
        status_reason varchar(40) NULL,
        size varchar(2) NULL,
        start_date date NULL,
        end_date date NULL,
        amount bigint NULL,
        payment_id uuid NULL,
        payment_status varchar(20) NULL,
        refunded_amount bigint NULL,
        unit_id uuid NULL,
        unit_code varchar(40) NULL,
        unit_released boolean NOT NULL DEFAULT false,
        unit_changed_at varchar(40) NULL,
        last_event_at varchar(40) NULL
      )`);
    await runner.query(
      'CREATE INDEX booking_view_customer_idx ON booking_view (customer_id, last_event_at DESC)',
    );
    await runner.query(`
      CREATE TABLE booking_timeline (
        event_id uuid PRIMARY KEY,
        booking_id uuid NOT NULL,
        type varchar(60) NOT NULL,
        occurred_at varchar(40) NOT NULL,
        summary text NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX booking_timeline_booking_idx ON booking_timeline (booking_id, occurred_at)',
    );
    await runner.query(`
      CREATE TABLE notice (
        id uuid PRIMARY KEY,
        booking_id uuid NOT NULL,
        customer_id varchar(100) NOT NULL,
        kind varchar(60) NOT NULL,
        message text NOT NULL,
        created_at varchar(40) NOT NULL,
        CONSTRAINT notice_once_per_kind UNIQUE (booking_id, kind)
      )`);
    await runner.query('CREATE INDEX notice_customer_idx ON notice (customer_id, created_at DESC)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notice');
    await runner.query('DROP TABLE booking_timeline');
    await runner.query('DROP TABLE booking_view');
  }
}
