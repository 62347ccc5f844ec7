/**
 * `npm start`: Postgres + Kafka + the five services, on stable ports when free. Ctrl-C stops
 * everything in order (services drain first, then Kafka and Postgres) and leaves nothing behind.
 */
import { join } from 'node:path';
import { build, ROOT, startInfra, type Infra } from './infra';
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

async function main(): Promise<void> {
  const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, '.data', 'dev');
  build(log);
  let infra: Infra | undefined;
  const services: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping services...');
    await Promise.allSettled(services.map((service) => service.close()));
    log('Stopping Kafka and Postgres...');
    await infra?.stop();
    log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    infra = await startInfra({ dataDir, preferDefaultPorts: true, durable: true, log });
    const ports = await allocatePorts(true);
    const infraInfo = { brokers: infra.kafka.brokers, postgresServerUrl: infra.postgres.serverUrl };
    const logDir = join(dataDir, 'logs');
    for (const name of SERVICE_NAMES) {
      const env = { ...serviceEnv(name, infraInfo, ports), ...devDefaults(name) };
      const service = new ServiceProcess(name, env, serviceUrl(ports, name), logDir, (_name, chunk) => {
        if (echoLogs) process.stdout.write(chunk);
      });
      superviseRestarts(service);
      services.push(service);
    }
    const started = Date.now();
    services.forEach((service) => service.start());
    await Promise.all(services.map((service) => service.waitReady()));
    log(`Services ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    printSummary(ports, logDir);
  } catch (error) {
    log(`Start failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
}

/** Settings that make the local stack useful at once; every one is overridable from the shell. */
function devDefaults(name: ServiceName): Record<string, string> {
  const pick = (key: string, fallback: string) => ({ [key]: process.env[key] ?? fallback });
  return {
    ...pick('LOG_LEVEL', 'info'),
    ...(name === 'storage-assign' ? pick('SEED_DEFAULT_INVENTORY', 'true') : {}),
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
