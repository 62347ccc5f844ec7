import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The saga re-drive looks for PAID bookings by last change; few rows are PAID at any time. */
export class BookingStalledIndex1764600000300 implements MigrationInterface {
  name = 'BookingStalledIndex1764600000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX booking_paid_updated_idx ON booking (updated_at) WHERE status = 'PAID'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX booking_paid_updated_idx');
  }
}
