import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue orders a unit's events by the unit's own version (storage-assign counts them under
 * the unit's row lock) instead of their occurredAt: two storage-assign replicas' clocks may
 * disagree by more than the time between two changes of a unit, a counter cannot. Null for rows
 * written before (and for events of a storage-assign from before versions): the next event is
 * taken, as it always was.
 */
export class CatalogueUnitVersion1765300000300 implements MigrationInterface {
  name = 'CatalogueUnitVersion1765300000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalogue_unit ADD COLUMN unit_version int NULL');
    await runner.query('ALTER TABLE catalogue_unit DROP COLUMN changed_at');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalogue_unit ADD COLUMN changed_at timestamptz NULL');
    await runner.query('ALTER TABLE catalogue_unit DROP COLUMN unit_version');
  }
}
