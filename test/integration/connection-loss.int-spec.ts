import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { classifyFailure, probingClassifier } from '@storage/messaging';
import { buildDataSourceOptions, probeDatabase } from '@storage/persistence';
import { freshDatabase } from '../support/database';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor, waitUntil } from '../support/wait-for';

/** What `work` failed with, or undefined when it did not. */
function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * Faults of the database server that a consumer must wait out and HTTP must answer with a 503.
 *
 * An operator terminating backends (`pg_terminate_backend`, a failover, a server restart) between
 * two statements of a transaction: pg reports the loss as an event, TypeORM releases the
 * connection, and the transaction's next statement fails with TypeORM's own error rather than a
 * driver error. That must read as the database being unavailable (a 503 over HTTP, a paused
 * consumer over Kafka), never as a bug (a 500, an event dead-lettered after a few attempts).
 */
describe('database faults that are outages, not bugs (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase({ entities: [], migrations: [] });
  });

  afterAll(async () => {
    await db.drop();
  });

  it('is an outage, not a bug, and the pool serves the next transaction', async () => {
    const failure = await failureOf(
      db.dataSource.transaction(async (manager) => {
        const [{ pid }] = await manager.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
        const admin = new Client({ connectionString: db.url });
        await admin.connect();
        try {
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        } finally {
          await admin.end();
        }
        await waitUntil('TypeORM to see the connection gone', () =>
          Promise.resolve(manager.queryRunner!.isReleased),
        );
        await manager.query('SELECT 1');
      }),
    );

    expect(failure).toBeInstanceOf(Error);
    expect(classifyFailure(failure)).toBe('database-unavailable');
    expect(await db.dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('takes a database refusing writes (a standby, a failover in progress) for an outage', async () => {
    const name = new URL(db.url).pathname.slice(1);
    await db.dataSource.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
    const readOnly = new Client({ connectionString: db.url });
    await readOnly.connect();
    try {
      const failure = await failureOf(readOnly.query('CREATE TABLE refused (id int)'));
      expect((failure as { code?: string }).code).toBe('25006');
      expect(classifyFailure(failure)).toBe('database-unavailable');
      // A paused consumer resumes when the probe passes: not while every write would fail again.
      await expect(probeDatabase(db.url)).rejects.toThrow('takes no writes');
    } finally {
      await readOnly.end();
      await db.dataSource.query(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
    }
    await expect(probeDatabase(db.url)).resolves.toBeUndefined();
  });

  it('takes a database it cannot log in to (dropped, being restored) for an outage', async () => {
    const missing = new URL(db.url);
    missing.pathname = '/it_no_such_database';
    const client = new Client({ connectionString: missing.toString() });
    const failure = await failureOf(client.connect());
    await client.end().catch(() => undefined);
    expect((failure as { code?: string }).code).toBe('3D000');
    expect(classifyFailure(failure)).toBe('database-unavailable');
  });

  it("takes a stopped server's Unix socket, gone, for an outage (the local stacks connect through one)", async () => {
    // A stopped Postgres removes its socket file: a directory where none is stands for it.
    const socketDir = mkdtempSync(join(tmpdir(), 'pg-stopped-'));
    const stopped = new DataSource(
      buildDataSourceOptions({
        url: `postgres://postgres@localhost/it_stopped?host=${encodeURIComponent(socketDir)}`,
        poolSize: 1,
        preparedStatements: true,
        entities: [],
        migrations: [],
      }),
    );
    try {
      const failure = await failureOf(stopped.initialize());
      expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'connect' });
      expect(classifyFailure(failure)).toBe('database-unavailable');
    } finally {
      rmSync(socketDir, { recursive: true, force: true });
    }
  });

  it('asks a fresh connection about a failure no rule knows: an outage while the server is gone or silent', async () => {
    // Words no rule has met (a driver's after an upgrade, say): only the probe can tell.
    const strange = new Error('pg: the server went away in an unforeseen way');
    expect(classifyFailure(strange)).toBe('unknown');
    expect(await probingClassifier(() => probeDatabase(db.url))(strange)).toBe('unknown');

    const socketDir = mkdtempSync(join(tmpdir(), 'pg-stopped-'));
    const server = new URL(db.url);
    const proxy = new TcpProxy(server.hostname, Number(server.port));
    await proxy.start();
    try {
      const stopped = `postgres://postgres@localhost/it_stopped?host=${encodeURIComponent(socketDir)}`;
      expect(await probingClassifier(() => probeDatabase(stopped))(strange)).toBe('database-unavailable');
      // Frozen (every connection accepted by the kernel, none answered): the probe's own deadline.
      proxy.silence();
      const silent = probingClassifier(() => probeDatabase(proxy.urlFor(db.url), 500));
      expect(await silent(strange)).toBe('database-unavailable');
      proxy.speak();
      expect(await silent(strange)).toBe('unknown');
    } finally {
      rmSync(socketDir, { recursive: true, force: true });
      await proxy.cut();
    }
  });

  it('closes a connection whose server goes silent, and the pool opens a new one once it answers', async () => {
    const server = new URL(db.url);
    const proxy = new TcpProxy(server.hostname, Number(server.port));
    await proxy.start();
    const dataSource = await new DataSource(
      buildDataSourceOptions({
        url: proxy.urlFor(db.url),
        poolSize: 1,
        preparedStatements: true,
        statementTimeoutMs: 1000,
        entities: [],
        migrations: [],
      }),
    ).initialize();
    try {
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      proxy.silence();
      // Without the watchdog the statement waits for ever (the kernel never gives up on a request
      // it acknowledged): bounded here, so a regression fails with words instead of a timeout.
      let guard: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        failureOf(dataSource.query('SELECT 2')).then((error) => error ?? 'answered'),
        new Promise((resolve) => {
          guard = setTimeout(() => resolve('still waiting after 20 s'), 20_000);
        }),
      ]);
      clearTimeout(guard);
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toBe(
        'Connection terminated: the database sent no reply for 2000 ms',
      );
      expect(classifyFailure(outcome)).toBe('database-unavailable');

      proxy.speak();
      const back = await waitFor(
        'a statement answered on a new connection',
        () => dataSource.query<{ one: number }[]>('SELECT 1 AS one'),
        (rows) => rows[0]?.one === 1,
        { timeoutMs: 15_000 },
      );
      expect(back).toEqual([{ one: 1 }]);
    } finally {
      await dataSource.destroy();
      await proxy.cut();
    }
  });
});
