import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import { databaseUrl } from './database-url';
import { waitUntil } from '../../test/support/wait-for';
import { freePort, preferredPort } from './ports';

const ROOT = resolve(__dirname, '..', '..');

export const SERVICE_NAMES = ['payment', 'storage-assign', 'booking', 'mypage', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 8080,
  booking: 8081,
  payment: 8082,
  'storage-assign': 8083,
  mypage: 8084,
};

/** Database per service; none reads another's. */
export const DATABASES: Partial<Record<ServiceName, string>> = {
  booking: 'booking',
  payment: 'payment',
  'storage-assign': 'storage_assign',
  mypage: 'mypage',
};

export interface StackInfra {
  brokers: string;
  postgresServerUrl: string;
}

/** The gateway's /metrics listens apart from its public port (9464: OpenTelemetry's Prometheus port). */
export const DEFAULT_GATEWAY_METRICS_PORT = 9464;

/** Each service's HTTP port, and the gateway's metrics port. */
export type ServicePorts = Record<ServiceName, number> & { gatewayMetrics: number };

export async function allocatePorts(preferDefaults: boolean): Promise<ServicePorts> {
  const ports = {} as ServicePorts;
  for (const name of SERVICE_NAMES) {
    ports[name] = preferDefaults ? await preferredPort(DEFAULT_PORTS[name]) : await freePort();
  }
  ports.gatewayMetrics = preferDefaults
    ? await preferredPort(DEFAULT_GATEWAY_METRICS_PORT)
    : await freePort();
  return ports;
}

/** Where Prometheus scrapes a service: its own port, the gateway's metrics port. */
export function metricsUrl(ports: ServicePorts, name: ServiceName): string {
  const port = name === 'gateway' ? ports.gatewayMetrics : ports[name];
  return `http://127.0.0.1:${port}/metrics`;
}

export function serviceUrl(ports: ServicePorts, name: ServiceName): string {
  return `http://127.0.0.1:${ports[name]}`;
}

/** The environment each service gets from the local stack; the README's variable table. */
export function serviceEnv(
  name: ServiceName,
  infra: StackInfra,
  ports: ServicePorts,
): Record<string, string> {
  const env: Record<string, string> = { PORT: String(ports[name]), HOST: '127.0.0.1' };
  const database = DATABASES[name];
  if (database) {
    env.DATABASE_URL = databaseUrl(infra.postgresServerUrl, database);
    env.KAFKA_BROKERS = infra.brokers;
  }
  if (name === 'payment' || name === 'storage-assign') {
    // Their reconciliations ask booking where a booking stands.
    env.BOOKING_URL = serviceUrl(ports, 'booking');
  }
  if (name === 'booking' || name === 'gateway') {
    env.PAYMENT_URL = serviceUrl(ports, 'payment');
    env.STORAGE_ASSIGN_URL = serviceUrl(ports, 'storage-assign');
  }
  if (name === 'gateway') {
    env.BOOKING_URL = serviceUrl(ports, 'booking');
    env.MYPAGE_URL = serviceUrl(ports, 'mypage');
    env.METRICS_PORT = String(ports.gatewayMetrics);
    // Local stacks mint their own tokens (POST /auth/token); a cluster points JWKS_URL at its IdP.
    env.DEV_ISSUER_ENABLED = 'true';
  }
  return env;
}

const NEST_CLI = join(ROOT, 'node_modules', '.bin', 'nest');

/**
 * A service's live heap is about 40-45 MB (code and module sources, mostly); left alone, V8 lets
 * garbage pile up in old space until a major GC and the process sits at 200-250 MB after a few
 * thousand bookings. A limit makes it collect sooner (the Dockerfile sets the same).
 */
export const SERVICE_HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core), and a Node
 * service has about ten threads (V8's workers, libuv's pool): two arenas are enough for one that
 * allocates mostly on its JS heap, and leave 4-8 MB less resident memory per service after the
 * bench (booking 146-149 -> 140 MB, the others 131-139 -> 121-133 MB; no change in CPU per
 * booking). The Dockerfile sets the same; a value in the environment wins.
 */
export const SERVICE_MALLOC_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/**
 * Scheduling priority (nice; lower runs first) of the services that answer within a caller's
 * deadline. Payment must answer booking within PAYMENT_TIMEOUT_MS and uses little CPU, but on one
 * saturated machine shared with every other process its timers and replies waited for a core: in
 * the bench's circuit-breaker scenario (payment 400-620 ms, timeout 610 ms, 100 clients ignoring
 * Retry-After) 18.5-20.6 % of its calls timed out, against the 4.5 % its latency alone gives, and
 * the adaptive limit's cuts left 14-15 bookings/s accepted; at nice -5, 5.1-7.8 % timed out and
 * 40-42 /s were accepted (docs/scaling.md). Its container gets the same from `cpu_shares`
 * (docker-compose.yml); on Kubernetes each pod is guaranteed its CPU request instead.
 */
export const SERVICE_NICE: Partial<Record<ServiceName, number>> = { payment: -5 };

/**
 * Gives a started process the priority `nice`; false when this user may not raise a priority
 * (that needs root or CAP_SYS_NICE), and the process keeps the default. Linux sets it on the
 * process's main thread, the one that runs JavaScript.
 */
export function prioritise(pid: number, nice: number): boolean {
  try {
    setPriority(pid, nice);
    return getPriority(pid) === nice;
  } catch {
    return false;
  }
}

let unprivilegedSaid = false;

export function entryPoint(name: ServiceName): string {
  return join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
}

/** One service as a child process, with its JSON log appended to `<logDir>/<name>.log`. */
export class ServiceProcess {
  private child?: ChildProcess;
  private logStream?: WriteStream;
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /**
   * Node's own flags for the next start (the bench adds --cpu-prof). No --enable-source-maps:
   * the service maps its own frames itself (mapOwnStackTraces), without parsing every map in
   * node_modules at load time.
   */
  nodeArgs: string[] = [...SERVICE_HEAP_FLAGS];
  /**
   * Watch mode (`npm run dev -- <service>`): the Nest CLI rebuilds the service on every change and
   * restarts it, instead of one plain start of its build.
   */
  watch = false;

  constructor(
    readonly name: ServiceName,
    private env: Record<string, string>,
    readonly url: string,
    private readonly logDir: string,
    private readonly echo?: (name: ServiceName, chunk: string) => void,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  get logFile(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Merges extra variables into the environment of the next start (e.g. PAYMENT_LATENCY_MS). */
  setEnv(extra: Record<string, string>): void {
    this.env = { ...this.env, ...extra };
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.logStream ??= createWriteStream(this.logFile, { flags: 'a' });
    const [command, args] = this.watch
      ? [NEST_CLI, ['start', this.name, '--watch', '--preserveWatchOutput']]
      : [process.execPath, [...this.nodeArgs, entryPoint(this.name)]];
    const child = spawn(command, args, {
      env: {
        ...SERVICE_MALLOC_ENV,
        ...process.env,
        ...this.env,
        NODE_ENV: process.env.NODE_ENV ?? 'development',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
      // In watch mode the CLI, its compiler and the service form a group, stopped together.
      detached: this.watch,
    });
    const forward = (chunk: Buffer) => {
      this.logStream?.write(chunk);
      this.echo?.(this.name, chunk.toString());
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const nice = SERVICE_NICE[this.name];
    if (nice !== undefined && child.pid !== undefined && !prioritise(child.pid, nice) && !unprivilegedSaid) {
      unprivilegedSaid = true;
      process.stderr.write(
        `${this.name} runs at the default scheduling priority (nice ${nice} needs root or CAP_SYS_NICE): ` +
          'on a saturated machine more of its calls may miss their deadline\n',
      );
    }
    child.once('exit', (code, signal) => {
      if (this.child === child && !this.stopping) {
        this.onUnexpectedExit?.(code, signal);
      }
    });
    this.child = child;
    this.stopping = false;
  }

  private stopping = false;

  async waitReady(timeoutMs = 90_000): Promise<void> {
    await waitUntil(
      `${this.name} /health/ready (log: ${this.logFile})`,
      async () => {
        if (!this.running) {
          throw new Error(`${this.name} exited during start-up; see ${this.logFile}`);
        }
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (!response.ok) {
          return false;
        }
        // Ready, and this process: a free port handed out can be taken by another process before
        // ours binds it (ours then exits with EADDRINUSE), and that one answers ready too.
        const report = (await response.json()) as { info?: { lifecycle?: { pid?: number } } };
        const pid = report.info?.lifecycle?.pid;
        // In watch mode the child is the Nest CLI, which starts the service as its own child.
        if (!this.watch && pid !== this.child?.pid) {
          throw new Error(`${this.name}'s port ${this.url} is answered by another process (pid ${pid})`);
        }
        return true;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Graceful stop (SIGTERM), or a crash (SIGKILL) when `signal` says so. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      return;
    }
    this.stopping = true;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const kill = (sent: NodeJS.Signals) =>
      this.watch && child.pid ? process.kill(-child.pid, sent) : child.kill(sent);
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((done) => (this.logStream ? this.logStream.end(done) : done()));
    this.logStream = undefined;
  }
}
