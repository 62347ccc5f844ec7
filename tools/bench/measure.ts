/**
 * What the bench measures with: CPU time per process and for the whole machine (from /proc),
 * resident memory, and percentiles. Linux only, like the machines it runs on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { databaseUrl } from '../stack/database-url';

/** USER_HZ is 100 on Linux: one clock tick is 10 ms. */
const MS_PER_TICK = 10;

/**
 * CPU time the whole machine spent (every process: services, broker, Postgres, the load
 * generator), in ms, from /proc/stat's first line: user + nice + system + irq + softirq + steal.
 */
export function machineCpuMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMs: number;
  cmdline: string;
}

function readProc(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: read the fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return {
      pid,
      ppid: Number(fields[1]),
      // utime + stime (fields 14 and 15 of the file; 12 and 13 after the name).
      cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK,
      cmdline,
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProc(Number(entry)))
    .filter((stat): stat is ProcStat => stat !== undefined);
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
  const processes = allProcesses();
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

export function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
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

/** Database work so far in the services' databases: transactions and rows written. */
export interface DatabaseWork {
  transactions: number;
  rowsWritten: number;
}

/**
 * Transactions (commits and rollbacks) and rows inserted, updated or deleted so far in the given
 * databases, from pg_stat_database. Unlike CPU time these do not move with the machine's noise:
 * one run shows whether a change saves round trips. Postgres publishes a busy backend's counts
 * about once a second and an idle one's within 10 s, so read them 10 s after the load.
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
    return { transactions: Number(rows[0].transactions), rowsWritten: Number(rows[0].rows_written) };
  } finally {
    await client.end();
  }
}
