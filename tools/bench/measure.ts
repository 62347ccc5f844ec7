/**
 * What the bench measures with: CPU time per process and for the whole machine (from /proc),
 * resident memory, and percentiles. Linux only, like the machines it runs on.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { databaseUrl } from '../stack/database-url';
import { listProcesses, MS_PER_TICK } from '../stack/processes';

/**
 * CPU time the whole machine spent (every process: services, broker, Postgres, the load
 * generator), in ms, from /proc/stat's first line: user + nice + system + irq + softirq + steal.
 */
export function machineCpuMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

/** Which process belongs to which part of the system, found again at every sample. */
export interface ProcessGroups {
  /** Service name -> its process id (the processes are restarted sometimes: ask each time). */
  services: () => Record<string, number | undefined>;
  /** A string only the broker's command line contains (its data directory). */
  kafkaMarker: string;
  /** A string only the bench's Postgres server's command line contains (its data directory). */
  postgresMarker: string;
}

export type CpuByGroup = Record<string, number>;

/**
 * CPU ms used so far by each part: every service, the broker, Postgres (the server and all its
 * backends), this load generator, and everything else on the machine.
 */
export function cpuByGroup(groups: ProcessGroups): CpuByGroup {
  const processes = listProcesses();
  const byPid = new Map(processes.map((stat) => [stat.pid, stat]));
  const result: CpuByGroup = {};
  const counted = new Set<number>();
  for (const [name, pid] of Object.entries(groups.services())) {
    const stat = pid === undefined ? undefined : byPid.get(pid);
    result[name] = stat?.cpuMs ?? 0;
    if (stat) counted.add(stat.pid);
  }
  const kafka = processes.filter(
    (stat) => stat.cmdline.includes(groups.kafkaMarker) && /kafka\.Kafka/.test(stat.cmdline),
  );
  result.kafka = kafka.reduce((sum, stat) => sum + stat.cpuMs, 0);
  kafka.forEach((stat) => counted.add(stat.pid));
  const postmaster = processes.find(
    (stat) => stat.cmdline.includes(groups.postgresMarker) && /postgres/.test(stat.cmdline),
  );
  const postgres = postmaster
    ? processes.filter((stat) => stat.pid === postmaster.pid || stat.ppid === postmaster.pid)
    : [];
  result.postgres = postgres.reduce((sum, stat) => sum + stat.cpuMs, 0);
  postgres.forEach((stat) => counted.add(stat.pid));
  const self = byPid.get(process.pid);
  result['load generator'] = self?.cpuMs ?? 0;
  if (self) counted.add(self.pid);
  return result;
}

/** The CPU each part used between two samples; `other` is the machine's rest. */
export function cpuDelta(
  before: { machine: number; groups: CpuByGroup },
  after: { machine: number; groups: CpuByGroup },
): CpuByGroup {
  const delta: CpuByGroup = {};
  let accounted = 0;
  for (const [name, value] of Object.entries(after.groups)) {
    // A restarted process starts from zero again; never report negative time.
    delta[name] = Math.max(0, value - (before.groups[name] ?? 0));
    accounted += delta[name];
  }
  delta.other = Math.max(0, after.machine - before.machine - accounted);
  return delta;
}

export interface CpuSample {
  machine: number;
  groups: CpuByGroup;
}

export function sampleCpu(groups: ProcessGroups): CpuSample {
  return { machine: machineCpuMs(), groups: cpuByGroup(groups) };
}

/** A process' resident set now (VmRSS), in MB; NaN when it is gone. */
export function rssMb(pid: number | undefined): number {
  return statusMb(pid, 'VmRSS');
}

/**
 * The highest resident set a process has had since it started (the kernel's VmHWM), in MB. The
 * figure after the runs is one moment, 16 MB apart in two runs of the same tree
 * depending on where each heap stands between two full GCs; a container's memory limit must
 * hold the peak.
 */
export function peakRssMb(pid: number | undefined): number {
  return statusMb(pid, 'VmHWM');
}

function statusMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (!pid) return Number.NaN;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Database work so far in the services' databases: transactions, rows written, statements. */
export interface DatabaseWork {
  transactions: number;
  rowsWritten: number;
  /**
   * WAL flushes to disk (pg_stat_wal.wal_sync, the whole server): with durable commits each
   * writing transaction waits for one unless a concurrent commit's flush covered it.
   */
  walFlushes: number;
  /**
   * WAL written (pg_stat_wal.wal_bytes) and, of it, the full-page images (wal_fpi): the first
   * change of a page after each checkpoint writes the whole 8 kB page, which Postgres checksums
   * and copies into the WAL buffers.
   */
  walBytes: number;
  walFullPages: number;
  /**
   * Statements the services sent, by database then statement text (pg_stat_statements, normalised
   * texts; BEGIN and COMMIT included): how often, and the server's time planning and running
   * them. Empty when the server does not load pg_stat_statements (an external DATABASE_URL).
   */
  statements: Record<string, Record<string, StatementCount>>;
}

export interface StatementCount {
  calls: number;
  /** Planning and execution, ms (pg_stat_statements' total_plan_time + total_exec_time). */
  serverMs: number;
}

/** One statement's share of a phase: how often per booking, and its server time per booking. */
export interface StatementShare {
  database: string;
  statement: string;
  perBooking: number;
  /** ms of planning and execution per booking: where Postgres spends its time, statement by statement. */
  serverMsPerBooking: number;
}

/** The bench's own server loads it (see run.ts); the view needs the extension in one database. */
export const STATEMENT_STATISTICS = {
  shared_preload_libraries: 'pg_stat_statements',
  // Statements the services sent, not those run inside them (triggers, foreign-key checks).
  'pg_stat_statements.track': 'top',
  'pg_stat_statements.max': '5000',
  // Planning time too: a statement planned afresh on every execution shows up here.
  'pg_stat_statements.track_planning': 'on',
};

/**
 * Transactions (commits and rollbacks) and rows inserted, updated or deleted so far in the given
 * databases, from pg_stat_database, and the statements run, from pg_stat_statements. Unlike CPU
 * time these do not move with the machine's noise: one run shows whether a change saves round
 * trips. Postgres publishes a busy backend's counts about once a second and an idle one's within
 * 10 s, so read them 10 s after the load.
 */
export async function databaseWork(serverUrl: string, databases: readonly string[]): Promise<DatabaseWork> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ transactions: string; rows_written: string }>(
      `SELECT coalesce(sum(xact_commit + xact_rollback), 0) AS transactions,
              coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) AS rows_written
       FROM pg_stat_database WHERE datname = ANY($1)`,
      [databases],
    );
    const wal = await client.query<{ flushes: string; bytes: string; full_pages: string }>(
      'SELECT wal_sync AS flushes, wal_bytes AS bytes, wal_fpi AS full_pages FROM pg_stat_wal',
    );
    const statements: DatabaseWork['statements'] = {};
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const counted = await client.query<{
        datname: string;
        query: string;
        calls: string;
        server_ms: number;
      }>(
        `SELECT d.datname, s.query, sum(s.calls) AS calls,
                sum(s.total_plan_time + s.total_exec_time)::float8 AS server_ms
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = ANY($1) GROUP BY d.datname, s.query`,
        [databases],
      );
      for (const row of counted.rows) {
        (statements[row.datname] ??= {})[row.query] = { calls: Number(row.calls), serverMs: row.server_ms };
      }
    } catch {
      // Not loaded on this server: the other figures stand on their own.
    }
    return {
      transactions: Number(rows[0].transactions),
      rowsWritten: Number(rows[0].rows_written),
      walFlushes: Number(wal.rows[0]?.flushes ?? 0),
      walBytes: Number(wal.rows[0]?.bytes ?? 0),
      walFullPages: Number(wal.rows[0]?.full_pages ?? 0),
      statements,
    };
  } finally {
    await client.end();
  }
}

/**
 * Statements per booking between two readings, by database, and the statements that cost the
 * server the most time per booking (then the most frequent).
 * Not round trips: the services' client sends some statements in one message (a BEGIN with the
 * statement after it, an inbox row or a lock ahead of the next one); it counts its round trips
 * itself (db_client_round_trips_total).
 */
export function statementsPerBooking(
  before: DatabaseWork,
  after: DatabaseWork,
  bookings: number,
): {
  byDatabase: Record<string, number>;
  serverMsByDatabase: Record<string, number>;
  top: StatementShare[];
} {
  const byDatabase: Record<string, number> = {};
  const serverMsByDatabase: Record<string, number> = {};
  const all: StatementShare[] = [];
  const per = (value: number) => value / Math.max(1, bookings);
  for (const [database, counts] of Object.entries(after.statements)) {
    let total = 0;
    let totalMs = 0;
    for (const [statement, count] of Object.entries(counts)) {
      const earlier = before.statements[database]?.[statement];
      const perBooking = per(count.calls - (earlier?.calls ?? 0));
      const serverMsPerBooking = per(count.serverMs - (earlier?.serverMs ?? 0));
      total += perBooking;
      totalMs += serverMsPerBooking;
      if (perBooking > 0) {
        all.push({ database, statement: statement.replace(/\s+/g, ' '), perBooking, serverMsPerBooking });
      }
    }
    byDatabase[database] = total;
    serverMsByDatabase[database] = totalMs;
  }
  all.sort((a, b) => b.serverMsPerBooking - a.serverMsPerBooking || b.perBooking - a.perBooking);
  return { byDatabase, serverMsByDatabase, top: all.slice(0, 40) };
}

/**
 * How long committed events waited in each service's outbox for the relay (created to
 * published), for events created since `since`: whether the one relay per service (its advisory
 * lock) keeps up.
 */
export async function outboxLag(
  serverUrl: string,
  databases: readonly string[],
  since: Date,
): Promise<Record<string, { events: number; p50: number; p99: number }>> {
  const lag: Record<string, { events: number; p50: number; p99: number }> = {};
  for (const database of databases) {
    const client = new Client({ connectionString: databaseUrl(serverUrl, database) });
    await client.connect();
    try {
      const { rows } = await client.query<{ events: string; p50: number | null; p99: number | null }>(
        `SELECT count(*) AS events,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
                percentile_disc(0.99) WITHIN GROUP (ORDER BY lag) AS p99
         FROM (SELECT (extract(epoch FROM published_at - created_at) * 1000)::float8 AS lag
               FROM outbox_message WHERE created_at >= $1 AND published_at IS NOT NULL) l`,
        [since],
      );
      if (Number(rows[0].events) > 0) {
        lag[database] = { events: Number(rows[0].events), p50: rows[0].p50 ?? 0, p99: rows[0].p99 ?? 0 };
      }
    } catch {
      // A database without an outbox (my page publishes nothing).
    } finally {
      await client.end();
    }
  }
  return lag;
}
