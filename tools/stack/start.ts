/**
 * `npm start`: Postgres + Kafka + the five services, on stable ports when free. Ctrl-C stops
 * everything in order (services drain first, then Kafka and Postgres) and leaves nothing behind.
 *
 * `npm run dev -- <service> [...]`: the same, with the named services in watch mode (the Nest
 * CLI's `nest start <service> --watch`): a change to their code or a library rebuilds and restarts
 * them; their compiler's output goes to the console, their logs to the usual files.
 */
import { join } from 'node:path';
import { devIssuerKey } from './dev-issuer-key';
import { build, keepInfraRunning, ROOT, startInfra, stopInfraOnceUp, type Infra } from './infra';
import {
  allocatePorts,
  metricsUrl,
  SERVICE_NAMES,
  serviceEnv,
  ServiceProcess,
  serviceUrl,
  type ServiceName,
  type ServicePorts,
} from './services';

const log = (line: string) => process.stdout.write(`[stack] ${line}\n`);
const echoLogs = process.env.STACK_LOGS === 'console';

/** `--watch a b`: the services to run in watch mode (names checked, so a typo is not silent). */
function watchedServices(args: string[]): Set<ServiceName> {
  if (args[0] !== '--watch') {
    return new Set();
  }
  const names = args.slice(1);
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `Usage: npm run dev -- <service> [<service> ...]\n  services: ${SERVICE_NAMES.join(', ')}` +
        (unknown.length > 0 ? `\n  unknown: ${unknown.join(', ')}\n` : '\n'),
    );
    process.exit(2);
  }
  return new Set(names as ServiceName[]);
}

async function main(): Promise<void> {
  const watched = watchedServices(process.argv.slice(2));
  const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, '.data', 'dev');
  build(log);
  let starting: Promise<Infra> | undefined;
  const services: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping services...');
    await Promise.allSettled(services.map((service) => service.close()));
    log('Stopping Kafka and Postgres...');
    await stopInfraOnceUp(starting);
    log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const infra = await (starting = startInfra({ dataDir, preferDefaultPorts: true, durable: true, log }));
    keepInfraRunning(infra, log, () => stopping);
    const ports = await allocatePorts(true);
    const infraInfo = { brokers: infra.kafka.brokers, postgresServerUrl: infra.postgres.serverUrl };
    const logDir = join(dataDir, 'logs');
    for (const name of SERVICE_NAMES) {
      const env = { ...serviceEnv(name, infraInfo, ports), ...devDefaults(name, dataDir) };
      const service = new ServiceProcess(name, env, serviceUrl(ports, name), logDir, (_name, chunk) => {
        if (echoLogs) {
          process.stdout.write(chunk);
        } else if (watched.has(name)) {
          // The compiler's messages (errors first of all) belong on the console while developing.
          const compiler = chunk.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
          if (compiler.length > 0) process.stdout.write(`[${name}] ${compiler.join(`\n[${name}] `)}\n`);
        }
      });
      if (watched.has(name)) {
        service.watch = true;
      } else {
        superviseRestarts(service);
      }
      services.push(service);
    }
    if (stopping) {
      // A signal came while Kafka and Postgres were starting: stopAll stops them, and no service
      // may start behind its back.
      return;
    }
    const started = Date.now();
    services.forEach((service) => service.start());
    await Promise.all(services.map((service) => service.waitReady()));
    log(`Services ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    printSummary(ports, logDir);
    if (watched.size > 0) {
      log(`Watching ${[...watched].join(', ')}: edits rebuild and restart them.`);
    }
  } catch (error) {
    log(`Start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
}

/** Settings that make the local stack useful at once; every one is overridable from the shell. */
function devDefaults(name: ServiceName, dataDir: string): Record<string, string> {
  const pick = (key: string, fallback: () => string) => ({ [key]: process.env[key] ?? fallback() });
  return {
    ...pick('LOG_LEVEL', () => 'info'),
    ...(name === 'storage-assign' ? pick('SEED_DEFAULT_INVENTORY', () => 'true') : {}),
    // Tokens stay valid for as long as the data they were used on (see devIssuerKey).
    ...(name === 'gateway'
      ? pick('DEV_ISSUER_PRIVATE_KEY', () => devIssuerKey(join(dataDir, 'gateway', 'dev-issuer.pem')))
      : {}),
  };
}

/** Like a cluster would: a crashed service is restarted, with a back-off so a crash loop is visible. */
function superviseRestarts(service: ServiceProcess): void {
  let restarts = 0;
  service.onUnexpectedExit = (code, signal) => {
    restarts += 1;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(restarts, 5));
    log(
      `${service.name} exited (code ${code}, signal ${signal}); restarting in ${delay / 1000} s. Log: ${service.logFile}`,
    );
    setTimeout(() => service.start(), delay).unref();
  };
}

function printSummary(ports: ServicePorts, logDir: string): void {
  const lines = [
    '',
    `  Gateway      ${serviceUrl(ports, 'gateway')}   (API doc: ${serviceUrl(ports, 'gateway')}/docs)`,
    ...SERVICE_NAMES.map((name) => `  ${name.padEnd(14)} ${serviceUrl(ports, name)}/docs`),
    '',
    `  Metrics (Prometheus): ${SERVICE_NAMES.map((name) => metricsUrl(ports, name)).join(' ')}`,
    '',
    `  Logs (JSON):  ${logDir}/<service>.log   (STACK_LOGS=console to see them here)`,
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
