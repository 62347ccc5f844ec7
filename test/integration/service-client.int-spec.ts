import type { PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { runInTransaction } from '@storage/persistence';
import { freshDatabase } from '../support/database';

/** What node-postgres keeps of the connection that these tests look at (not in its typings). */
interface ClientInternals {
  /** The transaction status of the last ReadyForQuery: I idle, T in a transaction, E failed one. */
  _txStatus: string | null;
  connection: { on(event: 'readyForQuery', listener: () => void): void };
}

const internals = (client: PoolClient) => client as unknown as PoolClient & ClientInternals;

/**
 * The service client (libs/persistence service-client.ts) sends a transaction's BEGIN with its
 * first statement. What it must keep: the statement runs inside the transaction, an error in it
 * rolls the transaction back and leaves the connection and its prepared statements usable, an
 * empty transaction sends nothing, and a BEGIN never outlives the checkout that asked for it.
 */
describe('service client: BEGIN with the first statement (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    // A pool of one: every checkout gets the same connection (the pool case below relies on it).
    db = await freshDatabase({ entities: [], migrations: [], poolSize: 1 });
    dataSource = db.dataSource;
    await dataSource.query('CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)');
  });

  afterAll(() => db.drop());

  beforeEach(() => dataSource.query('TRUNCATE item'));

  /**
   * A transaction on a connection whose round trips are counted from its START TRANSACTION to its
   * COMMIT.
   */
  async function counted<T>(
    work: (runner: QueryRunner, client: PoolClient & ClientInternals) => Promise<T>,
  ): Promise<{ result: T; roundTrips: number; status: string | null }> {
    const runner = dataSource.createQueryRunner();
    const client = internals((await runner.connect()) as PoolClient);
    let roundTrips = 0;
    client.connection.on('readyForQuery', () => (roundTrips += 1));
    try {
      await runner.startTransaction();
      const result = await work(runner, client);
      await runner.commitTransaction();
      return { result, roundTrips, status: client._txStatus };
    } finally {
      await runner.release();
    }
  }

  const names = async () =>
    (await dataSource.query<{ name: string }[]>('SELECT name FROM item ORDER BY id')).map((row) => row.name);

  it('runs the first statement inside the transaction, in one round trip with BEGIN', async () => {
    let status: string | null = null;
    const { result, roundTrips } = await counted(async (runner, client) => {
      const rows: unknown = await runner.query('INSERT INTO item (id, name) VALUES ($1, $2) RETURNING name', [
        1,
        'first',
      ]);
      status = client._txStatus;
      await runner.query('INSERT INTO item (id, name) VALUES ($1, $2)', [2, 'second']);
      return rows;
    });
    expect(result).toEqual([{ name: 'first' }]);
    // In a transaction after the first statement; BEGIN + INSERT, INSERT, COMMIT: three round trips.
    expect(status).toBe('T');
    expect(roundTrips).toBe(3);
    expect(await names()).toEqual(['first', 'second']);
  });

  it('rolls back the transaction whose first statement fails, and the connection goes on', async () => {
    const insert = 'INSERT INTO item (id, name) VALUES ($1, $2)';
    await dataSource.query(insert, [1, 'kept']);
    await expect(
      runInTransaction(dataSource, async (manager) => {
        await manager.query(insert, [1, 'duplicate']);
      }),
    ).rejects.toThrow(/duplicate key/);
    // The same (prepared) statement in the next transaction, and a rollback of a written row.
    await expect(
      runInTransaction(dataSource, async (manager) => {
        await manager.query(insert, [2, 'rolled back']);
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    await runInTransaction(dataSource, (manager) => manager.query(insert, [3, 'committed']));
    expect(await names()).toEqual(['kept', 'committed']);
  });

  it('keeps a statement whose Parse failed unprepared: the next use reports the same error', async () => {
    const broken = 'SELECT name FROM no_such_table WHERE id = $1';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(runInTransaction(dataSource, (manager) => manager.query(broken, [1]))).rejects.toThrow(
        /relation "no_such_table" does not exist/,
      );
    }
    await dataSource.query('CREATE TABLE no_such_table (id int, name text)');
    try {
      await dataSource.query('INSERT INTO no_such_table VALUES (1, $1)', ['found']);
      // Parsed for the first time now, after BEGIN: prepared, then executed again without a Parse.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        expect(await runInTransaction(dataSource, (manager) => manager.query(broken, [1]))).toEqual([
          { name: 'found' },
        ]);
      }
    } finally {
      await dataSource.query('DROP TABLE no_such_table');
    }
  });

  it('sends nothing for a transaction without statements', async () => {
    const { roundTrips, status } = await counted(() => Promise.resolve());
    expect(roundTrips).toBe(0);
    expect(status).toBe('I');
  });

  it('opens the transaction before a first statement without parameters', async () => {
    let status: string | null = null;
    await counted(async (runner, client) => {
      await runner.query("INSERT INTO item (id, name) VALUES (1, 'literal')");
      status = client._txStatus;
    });
    expect(status).toBe('T');
    expect(await names()).toEqual(['literal']);
  });

  it('never opens a BEGIN held by a checkout that went back to the pool in front of the next one', async () => {
    const abandoned: QueryRunner = dataSource.createQueryRunner();
    await abandoned.connect();
    await abandoned.startTransaction();
    // Released without COMMIT or ROLLBACK (TypeORM never does this; a caller might).
    await abandoned.release();
    const next = dataSource.createQueryRunner();
    const client = internals((await next.connect()) as PoolClient);
    try {
      await next.query('INSERT INTO item (id, name) VALUES ($1, $2)', [1, 'autocommitted']);
      expect(client._txStatus).toBe('I');
    } finally {
      await next.release();
    }
    expect(await names()).toEqual(['autocommitted']);
  });
});
