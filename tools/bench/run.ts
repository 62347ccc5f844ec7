/**
 * `npm run bench`: the whole stack of the run command on this machine (durable Postgres, Kafka,
 * five services), loaded the way customers load it: bookings POSTed through the gateway with JWTs.
 * Machines here are shared and noisy, so the figures that matter are CPU per booking and ratios
 * within one run; absolute times inform. How fast the machine itself is that day is measured before
 * and after (machine-speed.ts): compare CPU per booking across days only beside it. Phases, each
 * with a deadline:
 *
 *   idle        the stack doing nothing for 10 s: its CPU baseline
 *   warm-up     rounds of 500 bookings at 20 clients (at least 4, at most 8: until a round is no
 *               longer 5 % cheaper than the one before), each printed with its CPU by process: the
 *               figures after it are those of a stack that has been running, not of one just started
 *   closed loop 1, 20 and 100 clients: bookings/s, POST p50/p95/p99, machine
 *               CPU per confirmed booking (every process, first POST to last CONFIRMED), by
 *               process, placed -> CONFIRMED from the bookings' own timestamps
 *   open loop   fixed arrival rates, rising until the system no longer keeps up (the knee); then
 *               half the 20-client rate, for placed -> CONFIRMED at a comfortable load
 *   breaker     the seeds' circuit-breaker scenario: payment 400-620 ms, PAYMENT_TIMEOUT_MS=610,
 *               100 clients for 30 s, each waiting as long as a 503's Retry-After says before
 *               its next booking: every request answered (201, or 503 with Retry-After)?
 *   memory      resident set of each service after the runs, and its peak (VmHWM)
 *
 * Results: a table here, and JSON plus an SVG chart (with the previous run's figures) in
 * bench-results/ (git-ignored). BENCH_PROFILE=1 also writes a CPU profile per service there
 * (node --cpu-prof; open them in Chrome DevTools or speedscope), BENCH_PERF=1 a Linux perf
 * recording of the whole machine over the 20-client phase; BENCH_LOG_LEVEL sets the
 * services' log level (default info, as `npm start`); BENCH_CB_SECONDS the breaker scenario's
 * length (default 30), BENCH_CB_IGNORE_RETRY_AFTER=1 its clients hammering (a 503 is followed by
 * the next booking at once); BENCH_REPLICAS=2 runs two replicas of every service that consumes events
 * (the scale-out figures of docs/scaling.md); BENCH_PHASES=load or =breaker runs one part only;
 * BENCH_KEEP_DATA=1 keeps the data directory and the services' logs; BENCH_NODE_FLAGS and
 * BENCH_POSTGRES_SETTINGS add flags to the services' Node and settings to Postgres, to try them.
 */
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { build, ROOT, startInfra } from '../stack/infra';
import { waitUntil } from '../../test/support/wait-for';
import { freePort } from '../stack/ports';
import { MachineProfile } from './machine-profile';
import { machineSpeedMs } from './machine-speed';
import {
  allocatePorts,
  DATABASES,
  SERVICE_NAMES,
  serviceEnv,
  ServiceProcess,
  serviceUrl,
  type ServiceName,
  metricsUrl,
} from '../stack/services';
import { closedLoop, farPeriod, openLoop, type Answer, type Target } from './load';
import {
  cpuDelta,
  databaseWork,
  outboxLag,
  percentile,
  peakRssMb,
  rssMb,
  sampleCpu,
  STATEMENT_STATISTICS,
  statementsPerBooking,
  type CpuByGroup,
  type DatabaseWork,
  type ProcessGroups,
  type StatementShare,
} from './measure';
import { passes, save, table, type BenchResults, type Check, type LoadPoint } from './report';

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const RESULTS_DIR = join(ROOT, 'bench-results');
const CB_SECONDS = Number(process.env.BENCH_CB_SECONDS ?? 30);
/** The breaker scenario's clients send again at once after a 503, as siege does (Retry-After ignored). */
const CB_IGNORE_RETRY_AFTER = process.env.BENCH_CB_IGNORE_RETRY_AFTER === '1';
const PROFILE = process.env.BENCH_PROFILE === '1';
/** `BENCH_PERF=1`: a `perf record` of the whole machine over the 20-client phase (machine-profile.ts). */
const PERF = process.env.BENCH_PERF === '1';
/** `BENCH_NODE_FLAGS="--single-threaded-gc"`: Node/V8 flags to try, added to the services' own. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
const REPLICAS = Math.max(1, Number(process.env.BENCH_REPLICAS ?? 1));
/** Warm-up rounds: at least `min`, more (up to `max`) while a round costs under WARMUP_STEADY of the one before. */
const WARMUP_ROUNDS = { min: 4, max: 8 };
const WARMUP_ROUND_BOOKINGS = 500;
const WARMUP_STEADY = 0.95;
/** `load` (closed and open loops, memory) and `breaker`; both unless BENCH_PHASES names one. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'load,breaker').split(',').map((phase) => phase.trim()));

interface Json {
  [key: string]: unknown;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as T;
}

interface PhaseFigures {
  name: string;
  sent: number;
  accepted: number;
  statuses: Record<string, number>;
  unanswered: number;
  throughput: number;
  post: { p50: number; p95: number; p99: number };
  confirmed: number;
  confirm: { p50: number; p99: number };
  cpuPerBooking: number;
  cpuByGroup: CpuByGroup;
  /** Per confirmed booking, in the four services' databases. */
  database: Omit<DatabaseWork, 'statements'> & {
    statements: number;
    statementsByDatabase: Record<string, number>;
    /** Postgres' planning and execution time per booking, by database (pg_stat_statements). */
    serverMsByDatabase: Record<string, number>;
    /** Round trips counted by the services' client (db_client_round_trips_total), all replicas. */
    roundTrips: number;
    roundTripsByService: Record<string, number>;
    topStatements: StatementShare[];
  };
  /** Created -> published in each service's outbox, for the phase's events (ms). */
  outboxLag: Record<string, { events: number; p50: number; p99: number }>;
  /** Per confirmed booking: the services' consumer fetches and the messages they consumed. */
  kafka: { fetches: number; consumed: number };
}

/** `BENCH_POSTGRES_SETTINGS=commit_delay=500,commit_siblings=3`: server settings to try. */
function postgresSettingsFromEnv(): Record<string, string> {
  const given = process.env.BENCH_POSTGRES_SETTINGS ?? '';
  return Object.fromEntries(
    given
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
  );
}

function removeData(dataDir: string): void {
  if (process.env.BENCH_KEEP_DATA === '1') {
    log(`data and service logs kept in ${dataDir}`);
  } else {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Set by SIGINT or SIGTERM: the run stops its stack and exits without results. */
let interrupted: NodeJS.Signals | undefined;

/** 128 + SIGINT's number, as a shell reports an interrupted command. */
function exitInterrupted(dataDir: string): never {
  removeData(dataDir);
  process.exit(130);
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const dataDir = join(ROOT, '.data', `bench-${process.pid}`);
  build(log);
  // Before anything of the stack runs, and again after it stopped: the machine's own speed.
  const speedBefore = machineSpeedMs();
  log(`machine speed: the reference work takes ${speedBefore.toFixed(0)} ms of CPU (lower is faster)`);
  // Stopped from outside (a kill, a CI step's time limit, Ctrl-C), the bench takes its stack with
  // it: left running, the services and the broker would go on polling and slow the next run down.
  let stackUp = false;
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the stack; this run writes no results`);
    interrupted = signal;
    // Before the infrastructure is up there is nothing to stop yet: the start finishes first.
    if (stackUp) void stopStack().finally(() => exitInterrupted(dataDir));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const infra = await startInfra({
    dataDir,
    preferDefaultPorts: false,
    durable: true,
    postgresSettings: { ...STATEMENT_STATISTICS, ...postgresSettingsFromEnv() },
    log,
  });
  const ports = await allocatePorts(false);
  const infraInfo = { brokers: infra.kafka.brokers, postgresServerUrl: infra.postgres.serverUrl };
  const envFor = (name: ServiceName) => ({
    ...serviceEnv(name, infraInfo, ports),
    // What the run command logs (every request, at info), unless BENCH_LOG_LEVEL says otherwise.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    ...(name === 'gateway' ? { RATE_LIMIT_MAX: '10000000' } : {}),
    ...(name === 'storage-assign' ? { SEED_DEFAULT_INVENTORY: 'true' } : {}),
  });
  const profiled = (service: ServiceProcess) => {
    service.nodeArgs = [...service.nodeArgs, ...NODE_FLAGS];
    if (PROFILE)
      service.nodeArgs = [
        ...service.nodeArgs,
        '--cpu-prof',
        `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`,
      ];
    return service;
  };
  const services = new Map<ServiceName, ServiceProcess>(
    SERVICE_NAMES.map((name) => [
      name,
      profiled(new ServiceProcess(name, envFor(name), serviceUrl(ports, name), join(dataDir, 'logs'))),
    ]),
  );
  // More replicas of the services that consume events: they share the partitions of their group
  // and compete for their service's relay lock; HTTP keeps going to the first replica.
  const replicas: { label: string; name: ServiceName; metrics: string; process: ServiceProcess }[] = [];
  for (const name of SERVICE_NAMES.filter((candidate) => candidate !== 'gateway')) {
    for (let replica = 2; replica <= REPLICAS; replica += 1) {
      const port = await freePort();
      replicas.push({
        label: `${name} #${replica}`,
        name,
        metrics: `http://127.0.0.1:${port}/metrics`,
        process: profiled(
          new ServiceProcess(
            name,
            { ...envFor(name), PORT: String(port) },
            `http://127.0.0.1:${port}`,
            join(dataDir, 'logs', `replica-${replica}`),
          ),
        ),
      });
    }
  }
  const url = (name: ServiceName) => serviceUrl(ports, name);
  const groups: ProcessGroups = {
    services: () =>
      Object.fromEntries(
        [...[...services].map(([name, service]) => ({ label: name, process: service })), ...replicas].map(
          ({ label, process }): [string, number | undefined] => [label, process.pid],
        ),
      ),
    kafkaMarker: join(dataDir, 'kafka'),
    postgresMarker: join(dataDir, 'postgres'),
  };
  const checks: Check[] = [];
  const curve: LoadPoint[] = [];
  let cpuByProcess: Record<string, number> = {};
  let topStatements: BenchResults['topStatements'] = [];

  let stopped: Promise<void> | undefined;
  // Once, whether the run ends or a signal comes first.
  const stopStack = () =>
    (stopped ??= (async () => {
      log('stopping...');
      await Promise.allSettled(
        [...services.values(), ...replicas.map(({ process }) => process)].map((service) => service.close()),
      );
      await infra.stop();
    })());
  stackUp = true;
  if (interrupted) {
    await stopStack();
    exitInterrupted(dataDir);
  }

  try {
    log(
      `starting the five services${REPLICAS > 1 ? ` and ${replicas.length} more replicas of the consuming ones` : ''}...`,
    );
    const all = [...services.values(), ...replicas.map(({ process }) => process)];
    all.forEach((service) => service.start());
    await Promise.all(all.map((service) => service.waitReady()));
    for (const size of ['S', 'M', 'L']) {
      await waitUntil(
        `booking to price size ${size}`,
        async () =>
          (
            await fetch(
              `${url('booking')}/quotes?size=${size}&${new URLSearchParams(farPeriod()).toString()}`,
            )
          ).ok,
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    }
    const tokens = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const body = await (
          await fetch(`${url('gateway')}/auth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ subject: `bench-customer-${index}`, role: 'customer' }),
          })
        ).json();
        return (body as { accessToken: string }).accessToken;
      }),
    );
    const target: Target = { gatewayUrl: url('gateway'), tokens, timeoutMs: 30_000 };

    /** Waits until no booking is still on its way to an outcome (PAYMENT_PENDING or PAID). */
    const settled = () =>
      waitUntil(
        'every booking to reach its outcome',
        async () => {
          for (const status of ['PAYMENT_PENDING', 'PAID']) {
            const open = await getJson<unknown[]>(`${url('booking')}/bookings?status=${status}&limit=1`);
            if (open.length > 0) return false;
          }
          return true;
        },
        { timeoutMs: 180_000, intervalMs: 100 },
      );

    const scrape = async (metricsAt: string) =>
      (await fetch(metricsAt, { signal: AbortSignal.timeout(10_000) })).text();
    /** Every series' value of a metric in a /metrics text (one per label set). */
    const samples = (text: string, metric: string) =>
      [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].map((match) =>
        Number(match[1]),
      );
    /** A metric without labels (NaN when absent). */
    const reading = (text: string, metric: string) => samples(text, metric)[0] ?? NaN;
    /** Every series of a counter, summed (its labels, e.g. per topic). */
    const total = (text: string, metric: string) =>
      samples(text, metric).reduce((sum, value) => sum + value, 0);
    /** The /metrics of every data service (not the gateway) and of every extra replica. */
    const dataServiceMetrics = () => [
      ...SERVICE_NAMES.filter((name) => name !== 'gateway').map((name) => ({
        name,
        metrics: metricsUrl(ports, name),
      })),
      ...replicas,
    ];

    /** Each service's event-loop delay (ms) since the previous scrape, from its /metrics. */
    const eventLoopDelays = async () => {
      const delays: Record<string, { p99: number; max: number }> = {};
      for (const name of SERVICE_NAMES) {
        const text = await scrape(metricsUrl(ports, name));
        delays[name] = {
          p99: 1000 * reading(text, 'nodejs_eventloop_lag_p99_seconds'),
          max: 1000 * reading(text, 'nodejs_eventloop_lag_max_seconds'),
        };
      }
      return delays;
    };

    /**
     * Round trips to Postgres so far, by service (every replica's), counted by the services'
     * client (db_client_round_trips_total): statements sent in one message count once.
     */
    const roundTripCounts = async () => {
      const counts: Record<string, number> = {};
      for (const { name, metrics } of dataServiceMetrics()) {
        counts[name] = (counts[name] ?? 0) + reading(await scrape(metrics), 'db_client_round_trips_total');
      }
      return counts;
    };

    /** Fetches and messages consumed so far by all the services' Kafka consumers (every replica). */
    const kafkaCounts = async () => {
      const counts = { fetches: 0, consumed: 0 };
      for (const { metrics } of dataServiceMetrics()) {
        const text = await scrape(metrics);
        counts.fetches += total(text, 'kafka_consumer_fetches_total');
        counts.consumed += total(text, 'kafka_consumer_messages_consumed_total');
      }
      return counts;
    };

    /** Placed -> CONFIRMED from the bookings' own timestamps, read after the measurement. */
    const confirmations = async (answers: Answer[]) => {
      const ids = answers.map((answer) => answer.bookingId).filter((id): id is string => id !== undefined);
      const times: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < ids.length) {
            const booking = await getJson<Json>(`${url('booking')}/bookings/${ids[next++]}`);
            if (booking.status === 'CONFIRMED') {
              times.push(Date.parse(String(booking.updatedAt)) - Date.parse(String(booking.createdAt)));
            }
          }
        }),
      );
      return times;
    };

    const databases = Object.values(DATABASES).filter((name): name is string => name !== undefined);
    const work = () => databaseWork(infra.postgres.serverUrl, databases);
    const measure = async (
      name: string,
      run: () => Promise<{ answers: Answer[]; elapsedMs: number }>,
    ): Promise<PhaseFigures> => {
      const workBefore = await work();
      const roundTripsBefore = await roundTripCounts();
      const kafkaBefore = await kafkaCounts();
      const phaseStart = new Date();
      const before = sampleCpu(groups);
      const { answers, elapsedMs } = await run();
      await settled();
      const after = sampleCpu(groups);
      // Idle backends publish their counts up to 10 s late (PGSTAT_IDLE_INTERVAL): wait for them,
      // so no phase's work is counted in the next one. The CPU sample above is already taken.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      const workAfter = await work();
      const roundTripsAfter = await roundTripCounts();
      const kafkaAfter = await kafkaCounts();
      const lag = await outboxLag(infra.postgres.serverUrl, databases, phaseStart);
      const accepted = answers.filter((answer) => answer.status === 201);
      const statuses: Record<string, number> = {};
      for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const times = await confirmations(accepted);
      const delta = cpuDelta(before, after);
      const statements = statementsPerBooking(workBefore, workAfter, times.length);
      const roundTripsByService = Object.fromEntries(
        Object.entries(roundTripsAfter).map(([service, count]) => [
          service,
          (count - (roundTripsBefore[service] ?? 0)) / Math.max(1, times.length),
        ]),
      );
      const perBooking = Object.fromEntries(
        Object.entries(delta).map(([group, ms]) => [group, ms / Math.max(1, times.length)]),
      );
      const latencies = answers.filter((answer) => answer.status > 0).map((answer) => answer.ms);
      const figures: PhaseFigures = {
        name,
        sent: answers.length,
        accepted: accepted.length,
        statuses,
        unanswered: answers.filter((answer) => answer.status === 0).length,
        throughput: accepted.length / (elapsedMs / 1000),
        post: {
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
        },
        confirmed: times.length,
        confirm: { p50: percentile(times, 50), p99: percentile(times, 99) },
        cpuPerBooking: (after.machine - before.machine) / Math.max(1, times.length),
        cpuByGroup: perBooking,
        database: {
          transactions: (workAfter.transactions - workBefore.transactions) / Math.max(1, times.length),
          rowsWritten: (workAfter.rowsWritten - workBefore.rowsWritten) / Math.max(1, times.length),
          walFlushes: (workAfter.walFlushes - workBefore.walFlushes) / Math.max(1, times.length),
          walBytes: (workAfter.walBytes - workBefore.walBytes) / Math.max(1, times.length),
          walFullPages: (workAfter.walFullPages - workBefore.walFullPages) / Math.max(1, times.length),
          statements: Object.values(statements.byDatabase).reduce((sum, count) => sum + count, 0),
          statementsByDatabase: statements.byDatabase,
          serverMsByDatabase: statements.serverMsByDatabase,
          roundTrips: Object.values(roundTripsByService).reduce((sum, count) => sum + count, 0),
          roundTripsByService,
          topStatements: statements.top,
        },
        outboxLag: lag,
        kafka: {
          fetches: (kafkaAfter.fetches - kafkaBefore.fetches) / Math.max(1, times.length),
          consumed: (kafkaAfter.consumed - kafkaBefore.consumed) / Math.max(1, times.length),
        },
      };
      log(
        `${name}: ${figures.accepted}/${figures.sent} accepted (${JSON.stringify(statuses)}), ` +
          `${figures.throughput.toFixed(1)}/s, POST p50 ${figures.post.p50.toFixed(0)} p99 ${figures.post.p99.toFixed(0)} ms, ` +
          `confirmed ${figures.confirmed}, placed->CONFIRMED p50 ${figures.confirm.p50.toFixed(0)} p99 ${figures.confirm.p99.toFixed(0)} ms, ` +
          `CPU ${figures.cpuPerBooking.toFixed(1)} ms/booking, ` +
          `${figures.database.transactions.toFixed(1)} transactions, ${figures.database.statements.toFixed(1)} statements ` +
          `(${figures.database.roundTrips.toFixed(1)} round trips) ` +
          `and ${figures.database.rowsWritten.toFixed(1)} rows written per booking, ` +
          `${figures.database.walFlushes.toFixed(1)} WAL flushes and ${(figures.database.walBytes / 1024).toFixed(1)} kB of WAL ` +
          `(${figures.database.walFullPages.toFixed(1)} full-page images) per booking, ` +
          `${figures.kafka.consumed.toFixed(1)} events consumed in ${figures.kafka.fetches.toFixed(1)} fetches per booking, outbox lag p99 ` +
          Object.entries(lag)
            .map(([database, { p99 }]) => `${database} ${p99.toFixed(0)} ms`)
            .join(', '),
      );
      return figures;
    };
    const progress = (label: string, total: number) => (done: number) => {
      if (done % Math.max(1, Math.floor(total / 5)) === 0) log(`  ${label}: ${done}/${total}`);
    };

    // Idle baseline.
    log('idle: 10 s with no load...');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleBefore = sampleCpu(groups);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idle = cpuDelta(idleBefore, sampleCpu(groups));
    const idleCores = Object.values(idle).reduce((sum, ms) => sum + ms, 0) / 10_000;
    log(
      `idle: ${idleCores.toFixed(2)} cores (${Object.entries(idle)
        .map(([group, ms]) => `${group} ${(ms / 100).toFixed(1)}%`)
        .join(', ')})`,
    );
    checks.push({ check: 'idle stack CPU', value: idleCores * 100, unit: '% of one core' });

    /**
     * Rounds of bookings at 20 clients until the stack runs at its steady pace: JIT-compiled code
     * (every service and the broker halve their CPU per booking over the first rounds; Postgres
     * does not change). Measured on 2026-12-04: after 100 bookings, four 600-booking phases at 20
     * clients in a row took 42.8, 34.1, 27.9 and 29.2 ms of CPU per booking; the first measured
     * phase paid for the warm-up.
     */
    const warmUp = async (label: string) => {
      log(`${label}: rounds of ${WARMUP_ROUND_BOOKINGS} bookings at 20 clients until the pace holds...`);
      let previousCpu = Number.POSITIVE_INFINITY;
      for (let round = 1; round <= WARMUP_ROUNDS.max; round += 1) {
        const before = sampleCpu(groups);
        const { answers, elapsedMs } = await closedLoop(target, {
          clients: 20,
          count: WARMUP_ROUND_BOOKINGS,
        });
        await settled();
        const accepted = Math.max(1, answers.filter((answer) => answer.status === 201).length);
        const after = sampleCpu(groups);
        const cpu = (after.machine - before.machine) / accepted;
        // By process too: which part of the stack is still warming up.
        log(
          `  ${label} round ${round}: ${(accepted / (elapsedMs / 1000)).toFixed(1)} bookings/s, ` +
            `${cpu.toFixed(1)} ms of CPU per booking (` +
            Object.entries(cpuDelta(before, after))
              .map(([group, ms]) => `${group} ${(ms / accepted).toFixed(1)}`)
              .join(', ') +
            ')',
        );
        if (round >= WARMUP_ROUNDS.min && cpu >= WARMUP_STEADY * previousCpu) {
          break;
        }
        previousCpu = cpu;
      }
    };

    if (PHASES.has('load')) {
      await warmUp('warm-up');
      // Let idle backends publish the warm-up's database counts before the first phase reads them.
      await new Promise((resolve) => setTimeout(resolve, 11_000));

      const closed: Record<number, PhaseFigures> = {};
      for (const [clients, count] of [
        [1, 50],
        [20, 600],
        [100, 1000],
      ] as const) {
        log(`closed loop: ${clients} client(s), ${count} bookings...`);
        closed[clients] = await measure(`closed loop, ${clients} client(s)`, async () => {
          const recording =
            PERF && clients === 20
              ? MachineProfile.start(join(RESULTS_DIR, 'profiles', 'perf-20-clients.data'))
              : undefined;
          const loop = await closedLoop(target, {
            clients,
            count,
            onProgress: progress(`${clients} clients`, count),
          });
          if (recording) {
            log('perf over the 20-client phase, share of all samples by command:');
            (await recording.stop()).forEach((line) => log(`  ${line}`));
          }
          return loop;
        });
        curve.push({
          label: `${clients} clients`,
          kind: 'closed',
          throughput: closed[clients].throughput,
          p50: closed[clients].post.p50,
          p99: closed[clients].post.p99,
        });
      }
      const c20 = closed[20];
      cpuByProcess = c20.cpuByGroup;
      topStatements = c20.database.topStatements;
      log('20 clients, the statements that took Postgres the most time (ms per booking, runs per booking):');
      for (const top of topStatements.slice(0, 8)) {
        log(
          `  ${top.serverMsPerBooking.toFixed(2)} ms, ${top.perBooking.toFixed(2)}x  ${top.database}: ${top.statement.slice(0, 110)}`,
        );
      }
      checks.push(
        {
          check: 'machine CPU per confirmed booking, 20 clients',
          value: c20.cpuPerBooking,
          unit: 'ms',
          target: { op: '<=', limit: 20 },
        },
        {
          check: 'machine CPU per confirmed booking, 100 clients',
          value: closed[100].cpuPerBooking,
          unit: 'ms',
        },
        // Deterministic: these move when the code changes, not with the machine's noise.
        {
          check: 'Postgres transactions per booking, 20 clients',
          value: c20.database.transactions,
          unit: 'count',
        },
        {
          check: 'Postgres rows written per booking, 20 clients',
          value: c20.database.rowsWritten,
          unit: 'count',
        },
        {
          check: 'Postgres WAL flushes per booking, 20 clients',
          value: c20.database.walFlushes,
          unit: 'count',
        },
        {
          check: 'Postgres WAL written per booking, 20 clients',
          value: c20.database.walBytes / 1024,
          unit: 'kB',
        },
        {
          check: 'Postgres WAL full-page images per booking, 20 clients',
          value: c20.database.walFullPages,
          unit: 'count',
        },
        {
          check: 'Postgres statements per booking, 20 clients',
          value: c20.database.statements,
          unit: 'count',
        },
        ...Object.entries(c20.database.statementsByDatabase).map(([database, count]) => ({
          check: `  statements per booking: ${database}`,
          value: count,
          unit: 'count',
        })),
        ...Object.entries(c20.database.serverMsByDatabase).map(([database, ms]) => ({
          check: `  Postgres planning + execution per booking: ${database}`,
          value: ms,
          unit: 'ms',
        })),
        {
          check: 'Postgres round trips per booking, 20 clients',
          value: c20.database.roundTrips,
          unit: 'count',
        },
        ...Object.entries(c20.database.roundTripsByService).map(([service, count]) => ({
          check: `  round trips per booking: ${service}`,
          value: count,
          unit: 'count',
        })),
        { check: 'Kafka fetches per booking, 20 clients', value: c20.kafka.fetches, unit: 'count' },
        { check: '  events consumed per booking', value: c20.kafka.consumed, unit: 'count' },
        ...Object.entries(c20.outboxLag).map(([database, { p99 }]) => ({
          check: `outbox created -> published p99, 20 clients: ${database}`,
          value: p99,
          unit: 'ms',
        })),
        {
          check: 'bookings accepted per second, 20 clients',
          value: c20.throughput,
          unit: '/s',
          target: { op: '>=', limit: 80 },
        },
        {
          check: 'accepted bookings not CONFIRMED, 20 clients',
          value: c20.accepted - c20.confirmed,
          unit: 'bookings',
          target: { op: '<=', limit: 0 },
        },
        { check: 'POST p99, 20 clients', value: c20.post.p99, unit: 'ms', target: { op: '<=', limit: 500 } },
        { check: 'POST p50, 20 clients', value: c20.post.p50, unit: 'ms' },
        { check: 'POST p50, 1 client', value: closed[1].post.p50, unit: 'ms' },
        { check: 'bookings accepted per second, 100 clients', value: closed[100].throughput, unit: '/s' },
        { check: 'POST p99, 100 clients', value: closed[100].post.p99, unit: 'ms' },
      );
      for (const [group, ms] of Object.entries(c20.cpuByGroup)) {
        checks.push({ check: `  CPU per booking: ${group}`, value: ms, unit: 'ms' });
      }

      // Open loop: rising rates until the answers no longer keep up.
      let knee = 0;
      for (const rate of [10, 20, 40, 60, 80, 100, 130, 160]) {
        log(`open loop: ${rate} bookings/s for 8 s...`);
        const figures = await measure(`open loop ${rate}/s`, () =>
          openLoop(target, { ratePerS: rate, durationMs: 8000 }),
        );
        curve.push({
          label: `${rate}/s offered`,
          kind: 'open',
          throughput: figures.throughput,
          p50: figures.post.p50,
          p99: figures.post.p99,
        });
        const keptUp = figures.accepted >= 0.97 * figures.sent && figures.post.p99 <= 1000;
        if (!keptUp) break;
        knee = rate;
      }
      checks.push({
        check: 'open loop: highest rate kept up with (p99 <= 1 s)',
        value: knee,
        unit: 'bookings/s',
      });

      const half = Math.max(1, Math.round(c20.throughput / 2));
      log(`open loop at half the 20-client rate: ${half}/s for 15 s...`);
      const comfortable = await measure(`open loop ${half}/s`, () =>
        openLoop(target, { ratePerS: half, durationMs: 15_000 }),
      );
      checks.push(
        {
          check: `placed -> CONFIRMED p99 at ${half}/s`,
          value: comfortable.confirm.p99,
          unit: 'ms',
          target: { op: '<=', limit: 500 },
        },
        { check: `placed -> CONFIRMED p50 at ${half}/s`, value: comfortable.confirm.p50, unit: 'ms' },
      );

      // Memory after the load (before the breaker scenario restarts booking and payment).
      for (const [name, service] of services) {
        checks.push({
          check: `${name} resident memory`,
          value: rssMb(service.pid),
          unit: 'MB',
          target: { op: '<=', limit: 150 },
        });
      }
      for (const [name, service] of services) {
        checks.push({ check: `${name} peak resident memory`, value: peakRssMb(service.pid), unit: 'MB' });
      }
    }

    if (PHASES.has('breaker')) {
      // The seeds' circuit-breaker scenario.
      log(
        `circuit breaker: payment 400-620 ms, timeout 610 ms, 100 clients for ${CB_SECONDS} s${CB_IGNORE_RETRY_AFTER ? ', Retry-After ignored' : ''}...`,
      );
      const payment = services.get('payment')!;
      const booking = services.get('booking')!;
      await Promise.all([payment.stop(), booking.stop()]);
      payment.setEnv({ PAYMENT_LATENCY_MS: '400-620' });
      booking.setEnv({ PAYMENT_TIMEOUT_MS: '610' });
      payment.start();
      booking.start();
      await Promise.all([payment.waitReady(), booking.waitReady()]);
      // Freshly restarted processes run cold code (booking's door refusals took 1.9 s at p99 after
      // only 20 bookings of warm-up): that is the bench's doing, not the scenario's, whose
      // services have been running. The same rounds as before the load, in the scenario's
      // settings: their 20 clients do not wait out Retry-After, so most of each round's requests
      // are refused at the door (1-13 bookings/s accepted in three runs). What they warm is above
      // all the refusal path, the one that was cold; their CPU per accepted booking mostly
      // counts refusals, so the pace rule ends them after 5-6 rounds rather than at a true pace.
      await warmUp('warm-up after the restart');
      // prom-client's event-loop delay figures cover the time since the last scrape: start afresh.
      await eventLoopDelays();
      const heldAtEdge = async () =>
        total(await scrape(metricsUrl(ports, 'gateway')), 'gateway_held_refusals_total');
      const heldBefore = await heldAtEdge();
      const cpuBefore = sampleCpu(groups);
      // The clients' own lateness is part of every latency they measure: shown beside the services'.
      const clientDelay = monitorEventLoopDelay({ resolution: 10 });
      clientDelay.enable();
      const breaker = await closedLoop(
        { ...target, timeoutMs: 10_000 },
        { clients: 100, durationMs: CB_SECONDS * 1000, honourRetryAfter: !CB_IGNORE_RETRY_AFTER },
      );
      const cpu = cpuDelta(cpuBefore, sampleCpu(groups));
      clientDelay.disable();
      // Read first: every scrape starts prom-client's event-loop figures afresh, so after the
      // held-refusal count below the gateway's would cover a few ms; and before the settling,
      // whose quiet would thin them all out.
      const delays = {
        ...(await eventLoopDelays()),
        'load generator': { p99: clientDelay.percentile(99) / 1e6, max: clientDelay.max / 1e6 },
      };
      const heldDuring = (await heldAtEdge()) - heldBefore;
      // Where the two cores went while the scenario ran: refusals should cost next to nothing.
      log(
        `circuit breaker: ${(Object.values(cpu).reduce((sum, ms) => sum + ms, 0) / breaker.elapsedMs).toFixed(2)} cores (${Object.entries(
          cpu,
        )
          .map(([group, ms]) => `${group} ${((100 * ms) / breaker.elapsedMs).toFixed(0)}%`)
          .join(', ')})`,
      );
      await settled();
      const answered = breaker.answers.filter(
        (answer) => answer.status === 201 || (answer.status === 503 && answer.retryAfter !== undefined),
      );
      const refusals = breaker.answers.filter((answer) => answer.status === 503).map((answer) => answer.ms);
      const acceptedPerS =
        breaker.answers.filter((answer) => answer.status === 201).length / (breaker.elapsedMs / 1000);
      // A call answered within the timeout still times out when the caller's event loop was
      // stalled at that moment: the timer runs before the socket's answer is read.
      log(
        `circuit breaker: event-loop delay p99/max ${Object.entries(delays)
          .map(([name, delay]) => `${name} ${delay.p99.toFixed(0)}/${delay.max.toFixed(0)} ms`)
          .join(', ')}`,
      );
      const statuses: Record<string, number> = {};
      for (const answer of breaker.answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      log(`circuit breaker: ${JSON.stringify(statuses)}`);
      checks.push(
        {
          check: 'breaker scenario: answered (201, or 503 + Retry-After)',
          value: (100 * answered.length) / Math.max(1, breaker.answers.length),
          unit: '%',
          target: { op: '>=', limit: 99.9 },
        },
        {
          check: 'breaker scenario: 503 p99',
          value: percentile(refusals, 99),
          unit: 'ms',
          target: { op: '<=', limit: 50 },
        },
        { check: 'breaker scenario: 503 p50', value: percentile(refusals, 50), unit: 'ms' },
        // Refused by the gateway itself while booking's refusal held (x-edge-hold-ms); the rest
        // reached booking, in the moments after a hold ended, and waited for its event loop.
        {
          check: 'breaker scenario: 503s answered at the edge',
          value: (100 * heldDuring) / Math.max(1, refusals.length),
          unit: '%',
        },
        // The two kinds of 503: refused at the door (nothing written), and admitted but payment
        // did not answer within PAYMENT_TIMEOUT_MS (so at least that long). With the scenario's
        // 400-620 ms against 610 ms, 4.5 % of calls time out however idle the system is.
        {
          check: 'breaker scenario: 503 at the door p99',
          value: percentile(
            breaker.answers
              .filter((answer) => answer.status === 503 && answer.cause !== 'timeout')
              .map((answer) => answer.ms),
            99,
          ),
          unit: 'ms',
        },
        {
          check: 'breaker scenario: payment calls timed out',
          value:
            (100 * breaker.answers.filter((answer) => answer.cause === 'timeout').length) /
            Math.max(
              1,
              breaker.answers.filter((answer) => answer.status === 201 || answer.cause === 'timeout').length,
            ),
          unit: '%',
        },
        {
          check: 'breaker scenario: bookings accepted per second',
          value: acceptedPerS,
          unit: '/s',
          target: { op: '>=', limit: 20 },
        },
      );
    }
  } finally {
    await stopStack();
  }
  if (interrupted) {
    // The signal's own handler exits once the stack is down; nothing of a cut run is reported.
    return new Promise<number>(() => undefined);
  }
  const speedAfter = machineSpeedMs();
  log(`machine speed after the runs: ${speedAfter.toFixed(0)} ms of CPU for the reference work`);
  // The lower of the two: a neighbour's burst only ever slows the reference work down.
  const referenceWorkMs = Math.min(speedBefore, speedAfter);
  checks.unshift({
    check: 'machine speed: reference work, CPU (lower is faster)',
    value: referenceWorkMs,
    unit: 'ms',
  });
  removeData(dataDir);

  const results: BenchResults = {
    startedAt,
    machine: { cpus: cpus().length, node: process.version, referenceWorkMs },
    checks,
    curve,
    cpuByProcess,
    topStatements,
  };
  const { previous, files } = save(RESULTS_DIR, results);
  process.stdout.write(`\n${table(results, previous)}\n\n`);
  log(`results: ${files.join(', ')}`);
  return checks.every(passes) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A phase cut short by the stack stopping under it: the signal's handler exits.
    if (interrupted) return;
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
