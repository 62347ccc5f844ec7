import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reconciliation mark of active assignments (see ReconcileAssignmentsHandler). */
export class AssignmentReconciliation1764600000200 implements MigrationInterface {
  name = 'AssignmentReconciliation1764600000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE assignment ADD COLUMN reconciled_at timestamptz NULL, ADD COLUMN reconcile_checked_at timestamptz NULL',
    );
    await runner.query(
      `CREATE INDEX assignment_unreconciled_idx ON assignment (created_at) WHERE status = 'ACTIVE' AND reconciled_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX assignment_unreconciled_idx');
    await runner.query('ALTER TABLE assignment DROP COLUMN reconciled_at, DROP COLUMN reconcile_checked_at');
  }
}
