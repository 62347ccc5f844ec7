import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBooking1763700000300 implements MigrationInterface {
  name = 'CreateBooking1763700000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE booking (
        id uuid PRIMARY KEY,
        customer_id varchar(100) NOT NULL,
        size varchar(2) NOT NULL CHECK (size IN ('S', 'M', 'L')),
        start_date date NOT NULL,
        end_date date NOT NULL,
        days int NOT NULL CHECK (days > 0),
        daily_rate int NOT NULL CHECK (daily_rate >= 0),
        amount bigint NOT NULL CHECK (amount >= 0),
        status varchar(20) NOT NULL
          CHECK (status IN ('PAYMENT_PENDING', 'PAID', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED')),
        payment_id uuid NULL,
        unit_id uuid NULL,
        unit_code varchar(40) NULL,
        rejection_reason varchar(40) NULL,
        payment_decline_reason varchar(100) NULL,
        cancellation_reason varchar(40) NULL,
        idempotency_key varchar(200) NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (end_date > start_date),
        -- One booking per customer and Idempotency-Key; NULL keys never collide.
        CONSTRAINT booking_idempotency_key UNIQUE (customer_id, idempotency_key)
      )`);
    await runner.query('CREATE INDEX booking_customer_idx ON booking (customer_id, created_at DESC)');
    await runner.query(
      `CREATE INDEX booking_payment_pending_idx ON booking (created_at) WHERE status = 'PAYMENT_PENDING'`,
    );
    await runner.query(`
      CREATE TABLE catalogue_unit (
        unit_id uuid PRIMARY KEY,
        size varchar(2) NOT NULL,
        daily_rate int NOT NULL,
        status varchar(20) NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX catalogue_unit_size_idx ON catalogue_unit (size)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE catalogue_unit');
    await runner.query('DROP TABLE booking');
  }
}
