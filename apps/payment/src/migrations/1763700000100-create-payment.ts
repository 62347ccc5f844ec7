import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayment1763700000100 implements MigrationInterface {
  name = 'CreatePayment1763700000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE payment (
        id uuid PRIMARY KEY,
        booking_id uuid NOT NULL,
        customer_id varchar(100) NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        method varchar(50) NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('APPROVED', 'DECLINED', 'REFUNDED', 'VOIDED')),
        decline_reason varchar(100) NULL,
        refund_reason varchar(100) NULL,
        created_at timestamptz NOT NULL,
        refunded_at timestamptz NULL,
        CONSTRAINT payment_booking_id_key UNIQUE (booking_id)
      )`);
    await runner.query('CREATE INDEX payment_customer_idx ON payment (customer_id, created_at DESC)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE payment');
  }
}
