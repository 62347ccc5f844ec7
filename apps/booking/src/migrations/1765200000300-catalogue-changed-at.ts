import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When storage-assign changed each unit, as its event said (the envelope's occurredAt): the
 * catalogue takes a unit's event only if it is not older than the one it holds, so a dead letter
 * replayed after the unit changed again cannot bring back an old rate or a retired unit. Null for
 * rows written before: the next event of the unit, whatever its time, is taken.
 * Superseded by the unit's own version (CatalogueUnitVersion1765300000300, which drops this
 * column): kept because deployed databases may have run it.
 */
export class CatalogueChangedAt1765200000300 implements MigrationInterface {
  name = 'CatalogueChangedAt1765200000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalogue_unit ADD COLUMN changed_at timestamptz NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalogue_unit DROP COLUMN changed_at');
  }
}
