import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { databaseUrl } from '../../tools/stack/database-url';
import { listProcesses } from '../../tools/stack/processes';
import { stackInfo } from '../support/stack-file';
import { waitFor } from '../support/wait-for';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The run command keeps its own Postgres and broker running (tools/stack/infra-supervision.ts).
 * `npm run infra` (the same infrastructure as `npm start`, same code) is started here in a data
 * directory of its own; both servers are killed with SIGKILL, as a crash or an impatient user
 * would, and must come back by themselves on the same ports with the data they had.
 */
describe('npm run infra keeps its Postgres and Kafka running (real servers)', () => {
  const dataDir = join(stackInfo().dataDir, `supervision-${process.pid}`);
  let infra: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (infra && infra.exitCode === null && infra.signalCode === null) {
      const exited = once(infra, 'exit');
      infra.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts each again after kill -9, with every acknowledged commit and topic', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, STACK_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.KAFKA_BROKERS;
    infra = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'stack', 'infra-only.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    infra.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    infra.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'npm run infra to be up',
      () => Promise.resolve(output),
      (text) => text.includes('Ctrl-C stops both.'),
      {
        timeoutMs: 150_000,
        intervalMs: 300,
      },
    );
    const stack = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as {
      brokers: string;
      postgresServerUrl: string;
    };
    const query = async (sql: string) => {
      const client = new Client({
        connectionString: databaseUrl(stack.postgresServerUrl, 'postgres'),
        connectionTimeoutMillis: 1000,
      });
      await client.connect();
      try {
        return (await client.query<{ n: number }>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    const withAdmin = async <T>(call: (admin: Admin) => Promise<T>) => {
      const admin = new Kafka({
        clientId: 'supervision-it',
        brokers: [stack.brokers],
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      try {
        return await call(admin);
      } finally {
        await admin.disconnect();
      }
    };
    await query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2), (3)');
    await withAdmin((admin) =>
      admin.createTopics({ topics: [{ topic: 'kept-topic', numPartitions: 1 }], waitForLeaders: true }),
    );

    const postmaster = Number(
      readFileSync(join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(postmaster, 'SIGKILL');
    process.kill(brokerPid(join(dataDir, 'kafka')), 'SIGKILL');

    const rows = await waitFor(
      'Postgres back with its rows',
      () => query('SELECT n FROM kept ORDER BY n'),
      (found) => found.length === 3,
      {
        timeoutMs: 90_000,
        intervalMs: 300,
      },
    );
    expect(rows.map((row) => row.n)).toEqual([1, 2, 3]);
    await waitFor(
      'the broker back with its topic',
      () => withAdmin((admin) => admin.listTopics()),
      (found) => found.includes('kept-topic'),
      {
        timeoutMs: 120_000,
        intervalMs: 500,
      },
    );
    // Its own check of a restarted server (it polls) may come a moment after ours.
    await waitFor(
      'both restarts reported',
      () => Promise.resolve(output),
      (text) => ['Postgres', 'Kafka'].every((name) => text.includes(`[infra] ${name} is up again.`)),
    );
    for (const name of ['Postgres', 'Kafka']) {
      expect(output).toContain(
        `[infra] ${name} exited (signal SIGKILL); starting it again with the same port and data.`,
      );
    }
    // Asked to stop, it stops both for good: nothing is started again.
    const exited = once(infra, 'exit');
    infra.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(output.match(/starting it again/g)).toHaveLength(2);
  }, 420_000);
});

/** The broker's java process: the one whose command line names this test's data directory. */
function brokerPid(kafkaDir: string): number {
  const broker = listProcesses().find(
    (info) => info.cmdline.includes('kafka.Kafka') && info.cmdline.includes(kafkaDir),
  );
  if (!broker) {
    throw new Error(`no broker process runs from ${kafkaDir}`);
  }
  return broker.pid;
}
