import { Client, type PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import {
  buildDataSourceOptions,
  planEachCall,
  runInTransaction,
  sendAhead,
  type StatementAhead,
} from '@storage/persistence';
import { freshDatabase } from '../support/database';
import { waitFor } from '../support/wait-for';

/** What node-postgres keeps of the connection that these tests look at (not in its typings). */
interface ClientInternals {
  /** The transaction status of the last ReadyForQuery: I idle, T in a transaction, E failed one. */
  _txStatus: string | null;
  connection: {
    on(event: 'readyForQuery', listener: () => void): void;
    off(event: 'readyForQuery', listener: () => void): void;
  };
  /** The service client's own (libs/persistence service-client.ts). */
  sendAhead(statement: StatementAhead): void;
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
    const { runner, client, roundTrips } = await countingRunner();
    try {
      await runner.startTransaction();
      const result = await work(runner, client);
      await runner.commitTransaction();
      return { result, roundTrips: roundTrips(), status: client._txStatus };
    } finally {
      await runner.release();
    }
  }

  /** A connected query runner, its client, and the round trips counted on it from now on. */
  async function countingRunner() {
    const runner = dataSource.createQueryRunner();
    const client = internals((await runner.connect()) as PoolClient);
    let count = 0;
    const counter = () => (count += 1);
    client.connection.on('readyForQuery', counter);
    // The pool of one hands the same connection to every test: stop counting when it goes back.
    const release = runner.release.bind(runner);
    runner.release = () => {
      client.connection.off('readyForQuery', counter);
      return release();
    };
    return { runner, client, roundTrips: () => count };
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

  it('never prepares a statement marked planEachCall, in a transaction or outside one', async () => {
    const prepared = () =>
      dataSource.query<{ statement: string }[]>('SELECT statement FROM pg_prepared_statements');
    const planned = planEachCall('SELECT name FROM item WHERE id = $1 AND name <> $2');
    const named = 'SELECT name FROM item WHERE id = $1 AND name <> $2 AND true';
    await dataSource.query('INSERT INTO item (id, name) VALUES ($1, $2)', [1, 'kept']);
    for (let call = 0; call < 7; call += 1) {
      expect(await dataSource.query(planned, [1, ''])).toEqual([{ name: 'kept' }]);
      expect(await runInTransaction(dataSource, (manager) => manager.query(planned, [1, '']))).toEqual([
        { name: 'kept' },
      ]);
      await runInTransaction(dataSource, async (manager) => {
        sendAhead('A statement planned each call, ahead', { text: planned, values: [1, ''] });
        await manager.query(named, [1, '']);
      });
    }
    // The pool of one: the statements of this connection. The unmarked one is prepared, as usual.
    const statements = (await prepared()).map((row) => row.statement);
    expect(statements).toContain(named);
    expect(statements).not.toContain(planned);
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

  describe('statements sent ahead (an inbox row, an advisory lock, a last write)', () => {
    const upsert = 'INSERT INTO item (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING';
    const insert = 'INSERT INTO item (id, name) VALUES ($1, $2)';

    it('sends them in front of the next statement, in its round trip, and feeds their row counts to their checks', async () => {
      const counts: number[] = [];
      const check = (rowCount: number) => {
        counts.push(rowCount);
        return undefined;
      };
      const { result, roundTrips } = await counted(async (runner, client) => {
        client.sendAhead({ text: upsert, values: [1, 'ahead'], check });
        client.sendAhead({ text: upsert, values: [1, 'conflicting'], check });
        const rows: unknown = await runner.query('SELECT name FROM item WHERE id >= $1 ORDER BY id', [0]);
        return rows;
      });
      expect(result).toEqual([{ name: 'ahead' }]);
      expect(counts).toEqual([1, 0]);
      // BEGIN + two statements ahead + SELECT, then COMMIT.
      expect(roundTrips).toBe(2);
    });

    it("fails the next statement with a check's refusal and rolls everything back; the connection goes on", async () => {
      const refusing = (rowCount: number) => (rowCount === 1 ? new Error('refused by its check') : undefined);
      let after = false;
      await expect(
        runInTransaction(dataSource, async (manager) => {
          sendAhead('a test', { text: upsert, values: [1, 'ahead'], check: refusing });
          await manager.query(insert, [2, 'behind']);
          after = true;
        }),
      ).rejects.toThrow('refused by its check');
      expect(after).toBe(false);
      expect(await names()).toEqual([]);
      // The same (now prepared) statements in the next transaction.
      await runInTransaction(dataSource, async (manager) => {
        sendAhead('a test', { text: upsert, values: [3, 'third'] });
        await manager.query(insert, [4, 'fourth']);
      });
      expect(await names()).toEqual(['third', 'fourth']);
    });

    it("reports a failed one as the next statement's error and leaves that statement unprepared", async () => {
      await dataSource.query(insert, [1, 'kept']);
      const behind = 'SELECT name FROM item WHERE id = $1 AND name <> $2';
      await expect(
        runInTransaction(dataSource, async (manager) => {
          sendAhead('a test', { text: insert, values: [1, 'duplicate'] });
          await manager.query(behind, [1, '']);
        }),
      ).rejects.toThrow(/duplicate key/);
      // Its Parse was skipped: were it taken for prepared, Postgres would not know its name.
      expect(await runInTransaction(dataSource, (manager) => manager.query(behind, [1, '']))).toEqual([
        { name: 'kept' },
      ]);
    });

    it('sends those still held at COMMIT with it, in one round trip, when none has a check', async () => {
      const { roundTrips, status } = await counted(async (runner, client) => {
        await runner.query(insert, [1, 'first']);
        client.sendAhead({ text: insert, values: [2, 'second'] });
        client.sendAhead({ text: upsert, values: [3, 'third'] });
      });
      // BEGIN + INSERT, then both statements + COMMIT.
      expect(roundTrips).toBe(2);
      expect(status).toBe('I');
      expect(await names()).toEqual(['first', 'second', 'third']);
    });

    it('fails COMMIT with the error of one sent with it, and nothing of the transaction commits; the connection goes on', async () => {
      await dataSource.query(insert, [1, 'kept']);
      const { runner, client } = await countingRunner();
      try {
        await runner.startTransaction();
        await runner.query(insert, [2, 'rolled back']);
        client.sendAhead({ text: insert, values: [1, 'duplicate'] });
        client.sendAhead({ text: insert, values: [3, 'skipped'] });
        await expect(runner.commitTransaction()).rejects.toThrow(/duplicate key/);
        // COMMIT was skipped: the transaction is still open, failed, as after any failed COMMIT.
        // (Asked of Postgres, not of the client's last ReadyForQuery: Postgres flushes an error
        // on its own, so the rejection may run before the ReadyForQuery behind it has arrived.)
        await expect(runner.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
        await runner.rollbackTransaction();
        expect(client._txStatus).toBe('I');
        // The same statements, prepared or not, work on this connection afterwards.
        await runner.startTransaction();
        client.sendAhead({ text: insert, values: [4, 'fourth'] });
        await runner.commitTransaction();
      } finally {
        // Never hand a failed transaction to the tests after this one.
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await names()).toEqual(['kept', 'fourth']);
      // And through the unit of work, which rolls back on a failed COMMIT by itself.
      await expect(
        runInTransaction(dataSource, async (manager) => {
          await manager.query(insert, [5, 'rolled back too']);
          sendAhead('a test', { text: insert, values: [4, 'duplicate'] });
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await names()).toEqual(['kept', 'fourth']);
    });

    it("converts their parameters as node-postgres converts a query's", async () => {
      await dataSource.query(
        'CREATE TABLE IF NOT EXISTS typed (id int PRIMARY KEY, at timestamptz, doc jsonb, flag boolean, note text, tags text[])',
      );
      const at = new Date('2026-03-04T05:06:07.089Z');
      const row = [1, at, { a: [1, 'two'] }, false, null, ['x', 'y,z']];
      const typedInsert = 'INSERT INTO typed (id, at, doc, flag, note, tags) VALUES ($1, $2, $3, $4, $5, $6)';
      await runInTransaction(dataSource, (manager) => {
        sendAhead('a test', { text: typedInsert, values: row });
        return Promise.resolve(manager);
      });
      await dataSource.query(typedInsert, [2, ...row.slice(1)]);
      const stored = await dataSource.query<Record<string, unknown>[]>(
        'SELECT at, doc, flag, note, tags FROM typed ORDER BY id',
      );
      expect(stored[0]).toEqual({ at, doc: { a: [1, 'two'] }, flag: false, note: null, tags: ['x', 'y,z'] });
      expect(stored[1]).toEqual(stored[0]);
    });

    it('sends those still held at COMMIT before it when one has a check, and no COMMIT when one is refused', async () => {
      const counts: number[] = [];
      const { roundTrips } = await counted((_runner, client) => {
        client.sendAhead({
          text: upsert,
          values: [1, 'committed'],
          check: (count) => void counts.push(count),
        });
        return Promise.resolve();
      });
      // BEGIN + the statement, then COMMIT once its answer has come.
      expect(roundTrips).toBe(2);
      expect(counts).toEqual([1]);
      expect(await names()).toEqual(['committed']);
      let status: string | null = null;
      await expect(
        runInTransaction(dataSource, async (manager) => {
          sendAhead('a test', {
            text: upsert,
            values: [2, 'refused'],
            check: () => new Error('refused at commit'),
          });
          status = internals(
            (manager.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection,
          )._txStatus;
          return Promise.resolve();
        }),
      ).rejects.toThrow('refused at commit');
      expect(status).toBe('I');
      expect(await names()).toEqual(['committed']);
    });

    it('drops them at ROLLBACK, and never sends those of a checkout that went back to the pool', async () => {
      const { runner, client, roundTrips } = await countingRunner();
      try {
        await runner.startTransaction();
        await runner.query('SELECT count(*) FROM item WHERE id > $1', [0]);
        client.sendAhead({ text: upsert, values: [1, 'rolled back'] });
        await runner.rollbackTransaction();
        // BEGIN + SELECT, then ROLLBACK: the statement held for the transaction never went.
        expect(roundTrips()).toBe(2);
        await runner.startTransaction();
        client.sendAhead({ text: upsert, values: [2, 'abandoned'] });
        // Released without COMMIT or ROLLBACK (TypeORM never does this; a caller might).
      } finally {
        await runner.release();
      }
      const next = await countingRunner();
      try {
        await next.runner.query(insert, [3, 'autocommitted']);
        expect(next.client._txStatus).toBe('I');
        expect(next.roundTrips()).toBe(1);
      } finally {
        await next.runner.release();
      }
      expect(await names()).toEqual(['autocommitted']);
    });

    it('must run inside a unit of work', () => {
      expect(() => sendAhead('Locking a test', { text: upsert, values: [1, 'outside'] })).toThrow(
        /Locking a test must run inside a unit of work/,
      );
    });

    it('runs the next statement on a snapshot taken after a lock sent ahead was granted', async () => {
      const other = await new DataSource(
        buildDataSourceOptions({
          url: db.url,
          poolSize: 1,
          preparedStatements: true,
          entities: [],
          migrations: [],
        }),
      ).initialize();
      const observer = new Client({ connectionString: db.url });
      await observer.connect();
      const lock = 'SELECT pg_advisory_xact_lock($1, $2)';
      /** Until exactly one advisory lock is held (granted) or waited for. */
      const advisoryLocks = (what: string, granted: boolean) =>
        waitFor(
          what,
          () =>
            observer.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted = $1",
              [granted],
            ),
          (result) => result.rows[0].n === 1,
          { timeoutMs: 10_000, intervalMs: 20 },
        );
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      try {
        const holding = runInTransaction(other, async (manager) => {
          await manager.query(lock, [7, 7]);
          await manager.query(insert, [1, 'written under the lock']);
          await released;
        });
        await advisoryLocks('the first transaction to hold the lock', true);
        const reading = runInTransaction(dataSource, async (manager) => {
          sendAhead('a test', { text: lock, values: [7, 7] });
          return manager.query<{ name: string }[]>('SELECT name FROM item WHERE id >= $1', [0]);
        });
        await advisoryLocks('the second transaction to wait for the lock', false);
        release();
        await holding;
        // Sent in one message with the lock, the SELECT still sees what committed while it waited.
        expect(await reading).toEqual([{ name: 'written under the lock' }]);
      } finally {
        release();
        await observer.end();
        await other.destroy();
      }
    });
  });
});
