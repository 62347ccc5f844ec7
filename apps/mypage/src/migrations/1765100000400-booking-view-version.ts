import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per view row: an event is recorded with one conditional statement (the view at the
 * version it was projected from, its timeline entry and notice) instead of a locking transaction.
 */
export class BookingViewVersion1765100000400 implements MigrationInterface {
  name = 'BookingViewVersion1765100000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE booking_view ADD COLUMN version integer NOT NULL DEFAULT 0');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE booking_view DROP COLUMN version');
  }
}
