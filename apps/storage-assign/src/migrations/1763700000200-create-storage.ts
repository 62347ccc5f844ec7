import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStorage1763700000200 implements MigrationInterface {
  name = 'CreateStorage1763700000200';

  async up(runner: QueryRunner): Promise<void> {
    // btree_gist lets a GiST exclusion constraint compare plain uuids with "=".
    await runner.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await runner.query(`
      CREATE TABLE storage_unit (
        id uuid PRIMARY KEY,
        code varchar(40) NOT NULL,
        size varchar(2) NOT NULL CHECK (size IN ('S', 'M', 'L')),
        daily_rate int NOT NULL CHECK (daily_rate >= 0),
        status varchar(20) NOT NULL CHECK (status IN ('AVAILABLE', 'MAINTENANCE', 'INSPECTION', 'RETIRED')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT storage_unit_code_key UNIQUE (code)
      )`);
    await runner.query('CREATE INDEX storage_unit_size_status_idx ON storage_unit (size, status, code)');
    await runner.query(`
      CREATE TABLE assignment (
        id uuid PRIMARY KEY,
        booking_id uuid NOT NULL,
        unit_id uuid NOT NULL REFERENCES storage_unit (id),
        unit_code varchar(40) NOT NULL,
        size varchar(2) NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        period daterange GENERATED ALWAYS AS (daterange(start_date, end_date, '[)')) STORED,
        status varchar(20) NOT NULL CHECK (status IN ('ACTIVE', 'RELEASED', 'COMPLETED')),
        release_reason varchar(60) NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (end_date > start_date),
        -- The invariant: no unit is ever held twice for overlapping periods.
        CONSTRAINT assignment_no_overlap EXCLUDE USING gist (unit_id WITH =, period WITH &&)
          WHERE (status = 'ACTIVE')
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX assignment_one_active_per_booking ON assignment (booking_id) WHERE status = 'ACTIVE'`,
    );
    await runner.query(
      `CREATE INDEX assignment_unit_active_idx ON assignment (unit_id) WHERE status = 'ACTIVE'`,
    );
    await runner.query(`
      CREATE TABLE assignment_failure (
        booking_id uuid PRIMARY KEY,
        size varchar(2) NOT NULL,
        reason varchar(60) NOT NULL,
        failed_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE assignment_failure');
    await runner.query('DROP TABLE assignment');
    await runner.query('DROP TABLE storage_unit');
  }
}
