import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn, VersionColumn, type DataSource } from 'typeorm';
import { insertRow, updateRow } from '@storage/persistence';
import { freshDatabase } from '../support/database';

/** Cents stored, whole units in the code: a transformer both ways. */
const cents = {
  to: (value: number | null) => (value === null ? null : Math.round(value * 100)),
  from: (value: string | null) => (value === null ? null : Number(value) / 100),
};

@Entity({ name: 'sample' })
class SampleOrmEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'varchar', length: 20 }) status!: string;
  @Column({ name: 'start_date', type: 'date' }) startDate!: string | Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'bigint', transformer: cents }) price!: number;
  @Column({ type: 'jsonb', nullable: true }) extra!: object | null;
  @Column({ type: 'int', default: 7 }) tries?: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt?: Date;
}

/** An entity whose version the builder would increment on every update. */
@Entity({ name: 'versioned' })
class VersionedOrmEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @VersionColumn() version!: number;
}

/**
 * The hot writes' statements (libs/persistence row-statements.ts) are written without TypeORM's
 * query builder: what they store must be what the builder's statements store, for every kind of
 * column the services use, and their conditions must hold as the builder's do.
 */
describe('row statements: INSERT and UPDATE of a row as the query builder writes them (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await freshDatabase({ entities: [SampleOrmEntity, VersionedOrmEntity], migrations: [] });
    dataSource = db.dataSource;
    await dataSource.query(`
      CREATE TABLE sample (
        id uuid PRIMARY KEY, status varchar(20) NOT NULL, start_date date NOT NULL,
        updated_at timestamptz NOT NULL, closed_at timestamptz NULL, price bigint NOT NULL,
        extra jsonb NULL, tries int NOT NULL DEFAULT 7, created_at timestamptz NOT NULL DEFAULT now())`);
  });

  afterAll(() => db.drop());

  const sample = (overrides: Partial<SampleOrmEntity> = {}) =>
    Object.assign(new SampleOrmEntity(), {
      id: randomUUID(),
      status: 'OPEN',
      startDate: '2300-02-03',
      updatedAt: new Date('2026-12-04T10:11:12.345Z'),
      closedAt: null,
      price: 12.34,
      extra: { a: [1, 'two'], b: null },
      ...overrides,
    });

  /** The stored row, as the database has it (no transformer), without its key. */
  const stored = async (id: string) => {
    const [row] = await dataSource.query<Record<string, unknown>[]>(
      `SELECT status, start_date::text AS start_date, updated_at, closed_at, price::text AS price, extra,
              tries, created_at IS NOT NULL AS created
         FROM sample WHERE id = $1`,
      [id],
    );
    return row;
  };

  it('inserts what the builder inserts, undefined columns taking their default', async () => {
    for (const overrides of [
      {},
      { startDate: new Date(2300, 1, 3), closedAt: new Date('2027-01-01T00:00:00Z'), extra: null, tries: 3 },
    ]) {
      const ours = sample(overrides);
      const builders = sample(overrides);
      const written = await dataSource.query<unknown[]>(
        ...insertRow(dataSource.manager, SampleOrmEntity, ours),
      );
      expect(written).toHaveLength(1);
      await dataSource.createQueryBuilder().insert().into(SampleOrmEntity).values(builders).execute();
      expect(await stored(ours.id)).toEqual(await stored(builders.id));
    }
    // Read back through the entity: the transformer's way back gives the value written.
    const row = sample();
    await dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, row));
    const read = await dataSource.manager.findOneByOrFail(SampleOrmEntity, { id: row.id });
    expect(read).toMatchObject({ price: 12.34, tries: 7, startDate: '2300-02-03', extra: row.extra });
  });

  it('returns no row for a conflicting insert with orIgnore, and fails without it', async () => {
    const row = sample();
    await dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, row, { orIgnore: true }));
    const again = { ...row, status: 'SECOND' };
    expect(
      await dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, again, { orIgnore: true })),
    ).toEqual([]);
    await expect(dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, again))).rejects.toThrow(
      /duplicate key/,
    );
    expect((await stored(row.id)).status).toBe('OPEN');
  });

  it('updates every column but the key as the builder does, by key and while the conditions hold', async () => {
    const ours = sample();
    const builders = sample();
    for (const row of [ours, builders]) {
      await dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, row));
    }
    const change = {
      status: 'CLOSED',
      startDate: '2301-05-06',
      updatedAt: new Date('2026-12-05T00:00:00.001Z'),
      closedAt: new Date('2026-12-05T00:00:00.001Z'),
      price: 99.99,
      extra: { c: true },
    };
    // The conditions the services use: the status and the last change seen.
    const seen = { status: 'OPEN', updatedAt: ours.updatedAt };
    const [text, parameters] = updateRow(dataSource.manager, SampleOrmEntity, { ...ours, ...change }, seen);
    const [result] = await dataSource.query<{ written: number }[]>(
      `WITH written AS (${text}) SELECT count(*)::int AS written FROM written`,
      parameters,
    );
    expect(result.written).toBe(1);
    await dataSource
      .createQueryBuilder()
      .update(SampleOrmEntity)
      .set(change)
      .where({ id: builders.id, ...seen })
      .execute();
    expect(await stored(ours.id)).toEqual(await stored(builders.id));
    expect((await stored(ours.id)).status).toBe('CLOSED');
  });

  it('writes nothing when a condition no longer holds or the key matches no row', async () => {
    const row = sample();
    await dataSource.query(...insertRow(dataSource.manager, SampleOrmEntity, row));
    const attempts = [
      updateRow(dataSource.manager, SampleOrmEntity, { ...row, status: 'X' }, { status: 'CLOSED' }),
      updateRow(dataSource.manager, SampleOrmEntity, { ...row, status: 'X' }, { updatedAt: new Date(0) }),
      updateRow(dataSource.manager, SampleOrmEntity, { ...row, status: 'X' }, { closedAt: new Date(0) }),
      updateRow(dataSource.manager, SampleOrmEntity, { ...row, status: 'X' }, { status: null }),
      updateRow(dataSource.manager, SampleOrmEntity, { ...row, id: randomUUID(), status: 'X' }, {}),
    ];
    for (const [text, parameters] of attempts) {
      const [result] = await dataSource.query<{ written: number }[]>(
        `WITH written AS (${text}) SELECT count(*)::int AS written FROM written`,
        parameters,
      );
      expect(result.written).toBe(0);
    }
    expect((await stored(row.id)).status).toBe('OPEN');
    // A NULL condition is IS NULL: it holds for the row's NULL column.
    const [text, parameters] = updateRow(
      dataSource.manager,
      SampleOrmEntity,
      { ...row, status: 'Y' },
      { closedAt: null },
    );
    expect(text).toContain('"closed_at" IS NULL');
    await dataSource.query(text, parameters);
    expect((await stored(row.id)).status).toBe('Y');
  });

  it('keeps one text per shape: the same for other values, another for a NULL condition', () => {
    const manager = dataSource.manager;
    const [first] = updateRow(manager, SampleOrmEntity, sample(), { status: 'OPEN' });
    const [second, parameters] = updateRow(manager, SampleOrmEntity, sample({ price: 1 }), {
      status: 'PAID',
    });
    expect(second).toBe(first);
    expect(parameters).toContain('PAID');
    expect(parameters).toContain(100);
    const [withNull] = updateRow(manager, SampleOrmEntity, sample(), { closedAt: null });
    expect(withNull).not.toBe(first);
    expect(() => updateRow(manager, SampleOrmEntity, sample(), { status: { not: 'x' } as never })).toThrow(
      /plain value/,
    );
    expect(() => updateRow(manager, SampleOrmEntity, sample(), { nothing: 1 } as never)).toThrow(
      /no column nothing/,
    );
    // An undefined condition is no condition (as in the builder's WHERE); a row with nothing to
    // write is refused rather than sent as an UPDATE without SET.
    expect(updateRow(manager, SampleOrmEntity, sample(), { status: undefined })[0]).toBe(
      updateRow(manager, SampleOrmEntity, sample(), {})[0],
    );
    expect(() => updateRow(manager, SampleOrmEntity, { id: randomUUID() } as SampleOrmEntity, {})).toThrow(
      /defines no column to write/,
    );
    // Columns the builder maintains by itself are not written here: refused, not silently skipped.
    const versioned = Object.assign(new VersionedOrmEntity(), { id: randomUUID(), version: 1 });
    expect(() => insertRow(manager, VersionedOrmEntity, versioned)).toThrow(/VersionedOrmEntity.version/);
    expect(() => updateRow(manager, VersionedOrmEntity, versioned, {})).toThrow(/query builder/);
  });
});
