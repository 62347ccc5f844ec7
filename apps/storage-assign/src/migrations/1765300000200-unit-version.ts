import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A unit's version (StorageUnitSnapshot.version): units registered before start at 1. */
export class UnitVersion1765300000200 implements MigrationInterface {
  name = 'UnitVersion1765300000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE storage_unit ADD COLUMN version int NOT NULL DEFAULT 1');
    // From now on every write says it.
    await runner.query('ALTER TABLE storage_unit ALTER COLUMN version DROP DEFAULT');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE storage_unit DROP COLUMN version');
  }
}
