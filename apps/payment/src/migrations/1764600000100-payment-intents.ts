import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payment intents (PENDING, written before the provider is called), the simulated processor's
 * ledger of charges per idempotency key, and the reconciliation mark of approved payments.
 */
export class PaymentIntents1764600000100 implements MigrationInterface {
  name = 'PaymentIntents1764600000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE payment DROP CONSTRAINT payment_status_check');
    await runner.query(
      `ALTER TABLE payment ADD CONSTRAINT payment_status_check
         CHECK (status IN ('PENDING', 'APPROVED', 'DECLINED', 'REFUNDED', 'VOIDED'))`,
    );
    await runner.query(`CREATE INDEX payment_pending_idx ON payment (created_at) WHERE status = 'PENDING'`);
    await runner.query(
      'ALTER TABLE payment ADD COLUMN reconciled_at timestamptz NULL, ADD COLUMN reconcile_checked_at timestamptz NULL',
    );
    await runner.query(
      `CREATE INDEX payment_unreconciled_idx ON payment (created_at) WHERE status = 'APPROVED' AND reconciled_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE simulated_provider_charge (
        idempotency_key varchar(200) PRIMARY KEY,
        approved boolean NOT NULL,
        reason varchar(100) NULL,
        charged_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE simulated_provider_charge');
    await runner.query('DROP INDEX payment_pending_idx');
    await runner.query('DROP INDEX payment_unreconciled_idx');
    await runner.query('ALTER TABLE payment DROP COLUMN reconciled_at, DROP COLUMN reconcile_checked_at');
    await runner.query(`DELETE FROM payment WHERE status = 'PENDING'`);
    await runner.query('ALTER TABLE payment DROP CONSTRAINT payment_status_check');
    await runner.query(
      `ALTER TABLE payment ADD CONSTRAINT payment_status_check
         CHECK (status IN ('APPROVED', 'DECLINED', 'REFUNDED', 'VOIDED'))`,
    );
  }
}
