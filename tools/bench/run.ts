/**
 * `npm run bench`: the system under load on this machine, judged by ratios measured in the same
 * run (machines here are shared and noisy, so absolute numbers only inform) plus memory ceilings.
 *
 *   - saga: bookings placed at concurrency 10; HTTP latency and time until CONFIRMED
 *   - gateway overhead: the same read through the gateway vs. directly (ratio)
 *   - fail fast: a booking while payment's circuit is open vs. a normal booking (ratio)
 *   - memory: resident set of each service after the load
 */
import { randomInt } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, ROOT, startInfra } from '../stack/infra';
import { allocatePorts, SERVICE_NAMES, serviceEnv, ServiceProcess, serviceUrl } from '../stack/services';

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

interface Timed {
  ms: number;
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { ms: performance.now() - started, status: response.status, body: parsed };
}

/**
 * CPU time the whole machine spent (every process: services, broker, Postgres, this bench),
 * in ms, from /proc/stat's first line: user + nice + system + irq + softirq + steal jiffies.
 */
function machineCpuMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  // USER_HZ is 100 on Linux: one jiffy is 10 ms.
  return (user + nice + system + irq + softirq + steal) * 10;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function pool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

function period(): { startDate: string; endDate: string } {
  const start = Date.UTC(2300, 0, 1) + randomInt(0, 200_000) * 86_400_000;
  return {
    startDate: new Date(start).toISOString().slice(0, 10),
    endDate: new Date(start + 5 * 86_400_000).toISOString().slice(0, 10),
  };
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function main(): Promise<number> {
  const dataDir = join(ROOT, '.data', `bench-${process.pid}`);
  build(log);
  const infra = await startInfra({ dataDir, preferDefaultPorts: false, log });
  const ports = await allocatePorts(false);
  const services = SERVICE_NAMES.map(
    (name) =>
      new ServiceProcess(
        name,
        {
          ...serviceEnv(
            name,
            { brokers: infra.kafka.brokers, postgresServerUrl: infra.postgres.serverUrl },
            ports,
          ),
          LOG_LEVEL: 'warn',
          ...(name === 'booking'
            ? {
                PAYMENT_TIMEOUT_MS: '300',
                PAYMENT_BREAKER_THRESHOLD: '3',
                PAYMENT_BREAKER_HALF_OPEN_MS: '60000',
              }
            : {}),
        },
        serviceUrl(ports, name),
        join(dataDir, 'logs'),
      ),
  );
  const results: { check: string; value: string; target: string; ok: boolean }[] = [];
  try {
    services.forEach((service) => service.start());
    await Promise.all(services.map((service) => service.waitReady()));
    const url = (name: (typeof SERVICE_NAMES)[number]) => serviceUrl(ports, name);
    const storageUnits = await call('GET', `${url('storage-assign')}/storage-units`);
    log(`inventory: ${(storageUnits.body as unknown as unknown[]).length} units`);
    // Booking prices from a catalogue fed by the seeded inventory's events: wait until it has all sizes.
    for (const size of ['S', 'M', 'L']) {
      const quote = () =>
        call('GET', `${url('booking')}/quotes?size=${size}&${new URLSearchParams(period()).toString()}`);
      for (let i = 0; i < 100 && (await quote()).status !== 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    // Saga under load.
    const count = 200;
    const cpuBefore = machineCpuMs();
    const started = performance.now();
    const placed = await pool(count, 10, async (index) => {
      const response = await call('POST', `${url('booking')}/bookings`, {
        customerId: `bench-${index % 20}`,
        size: (['S', 'M', 'L'] as const)[index % 3],
        ...period(),
      });
      return { ...response, at: performance.now() };
    });
    const elapsedS = (performance.now() - started) / 1000;
    const accepted = placed.filter((response) => response.status === 201);
    const refused = placed.filter((response) => response.status !== 201);
    if (refused.length > 0) {
      log(
        `refused: ${JSON.stringify(refused.slice(0, 3).map((response) => [response.status, response.body]))}`,
      );
    }
    // Time to CONFIRMED from the bookings' own timestamps, read once everything settled, so the
    // measurement does not load the system it measures.
    const confirmMs: number[] = [];
    for (const booking of accepted) {
      for (;;) {
        const current = await call('GET', `${url('booking')}/bookings/${String(booking.body.id)}`);
        if (current.body.status === 'CONFIRMED') {
          confirmMs.push(
            Date.parse(String(current.body.updatedAt)) - Date.parse(String(current.body.createdAt)),
          );
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    // Until the last booking is CONFIRMED: the saga's asynchronous half counts too (the status
    // polling above adds a little of its own).
    const cpuPerBooking = (machineCpuMs() - cpuBefore) / Math.max(1, accepted.length);
    const latencies = placed.map((response) => response.ms);
    results.push(
      {
        check: 'bookings accepted',
        value: `${accepted.length}/${count}`,
        target: `${count}/${count}`,
        ok: accepted.length === count,
      },
      {
        check: 'booking throughput (req/s)',
        value: (count / elapsedS).toFixed(1),
        target: 'informative',
        ok: true,
      },
      {
        check: 'machine CPU per booking, placed to CONFIRMED (ms)',
        value: cpuPerBooking.toFixed(1),
        target: 'informative',
        ok: true,
      },
      {
        check: 'POST /bookings p50 / p95 / p99 (ms)',
        value: `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)}`,
        target: 'informative',
        ok: true,
      },
      {
        check: 'placed -> CONFIRMED p50 / p95 (ms)',
        value: `${percentile(confirmMs, 50).toFixed(0)} / ${percentile(confirmMs, 95).toFixed(0)}`,
        target: 'informative',
        ok: true,
      },
    );

    // Gateway overhead on the same read.
    const token = (
      await call('POST', `${url('gateway')}/auth/token`, { subject: 'bench-0', role: 'customer' })
    ).body.accessToken as string;
    const id = String(accepted[0].body.id);
    const reads = async (target: string, headers: Record<string, string>) => {
      const times: number[] = [];
      for (let i = 0; i < 300; i += 1) times.push((await call('GET', target, undefined, headers)).ms);
      return percentile(times, 50);
    };
    await reads(`${url('booking')}/bookings/${id}`, {});
    const direct = await reads(`${url('booking')}/bookings/${id}`, {});
    const viaGateway = await reads(`${url('gateway')}/api/bookings/${id}`, {
      authorization: `Bearer ${token}`,
    });
    const overhead = viaGateway / direct;
    results.push({
      check: 'gateway / direct read, p50 ratio',
      value: overhead.toFixed(2),
      target: '<= 3.0',
      ok: overhead <= 3,
    });

    // Fail fast: open payment's circuit by stopping payment, then compare with a normal booking.
    const normal = percentile(latencies, 50);
    await services.find((service) => service.name === 'payment')!.stop();
    for (let i = 0; i < 3; i += 1)
      await call('POST', `${url('booking')}/bookings`, { customerId: 'bench-x', size: 'S', ...period() });
    const open: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const response = await call('POST', `${url('booking')}/bookings`, {
        customerId: 'bench-x',
        size: 'S',
        ...period(),
      });
      if (response.status === 503) open.push(response.ms);
    }
    const failFast = percentile(open, 50) / normal;
    results.push({
      check: 'open-circuit 503 / normal booking, p50 ratio',
      value: failFast.toFixed(2),
      target: '<= 1.0',
      ok: open.length === 20 && failFast <= 1,
    });

    for (const service of services.filter((candidate) => candidate.running)) {
      const mb = rssMb(service.pid);
      results.push({
        check: `${service.name} resident memory (MB)`,
        value: mb.toFixed(0),
        target: '<= 350',
        ok: mb <= 350,
      });
    }
  } finally {
    await Promise.allSettled(services.map((service) => service.close()));
    await infra.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
  const width = Math.max(...results.map((result) => result.check.length));
  for (const result of results) {
    process.stdout.write(
      `${result.ok ? 'ok  ' : 'FAIL'} ${result.check.padEnd(width)}  ${result.value.padStart(12)}   (${result.target})\n`,
    );
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

void main().then((code) => process.exit(code));
