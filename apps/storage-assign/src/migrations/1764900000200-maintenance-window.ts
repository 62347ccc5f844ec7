import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The end of a unit's maintenance window (see StorageUnit.putUnderMaintenance). */
export class MaintenanceWindow1764900000200 implements MigrationInterface {
  name = 'MaintenanceWindow1764900000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE storage_unit ADD COLUMN maintenance_until date NULL');
    await runner.query(
      `ALTER TABLE storage_unit ADD CONSTRAINT storage_unit_window_only_in_maintenance
         CHECK (maintenance_until IS NULL OR status = 'MAINTENANCE')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE storage_unit DROP COLUMN maintenance_until');
  }
}
