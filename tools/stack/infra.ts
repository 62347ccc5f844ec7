import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keepRunning } from './infra-supervision';
import { startKafka, type KafkaHandle } from './kafka';
import { startPostgres, type PostgresHandle } from './postgres';

export const ROOT = resolve(__dirname, '..', '..');

export interface Infra {
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  stop(): Promise<void>;
}

/** Compiles apps and libs into dist/ (incremental, so later runs take seconds). */
export function build(log: (line: string) => void): void {
  log('Building (tsc)...');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('Build failed (see the compiler output above).');
  }
}

/** Postgres and Kafka side by side; both honour DATABASE_URL / KAFKA_BROKERS to use existing ones. */
export async function startInfra(options: {
  dataDir: string;
  preferDefaultPorts: boolean;
  /** Whether Postgres must keep every acknowledged commit across a crash (see startPostgres). */
  durable: boolean;
  /** More Postgres settings (see startPostgres). */
  postgresSettings?: Record<string, string>;
  log: (line: string) => void;
}): Promise<Infra> {
  const started = Date.now();
  const [postgres, kafka] = await Promise.allSettled([
    startPostgres({
      dataDir: join(options.dataDir, 'postgres'),
      port: options.preferDefaultPorts ? 54329 : undefined,
      durable: options.durable,
      settings: options.postgresSettings,
    }),
    startKafka({
      dataDir: join(options.dataDir, 'kafka'),
      brokerPort: options.preferDefaultPorts ? 19092 : undefined,
      controllerPort: options.preferDefaultPorts ? 19093 : undefined,
      log: options.log,
    }),
  ]);
  if (postgres.status === 'rejected' || kafka.status === 'rejected') {
    if (postgres.status === 'fulfilled') await postgres.value.stop();
    if (kafka.status === 'fulfilled') await kafka.value.stop();
    throw postgres.status === 'rejected' ? postgres.reason : (kafka as PromiseRejectedResult).reason;
  }
  options.log(
    `Infrastructure up in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `Postgres ${postgres.value.external ? '(external)' : new URL(postgres.value.serverUrl).host}, ` +
      `Kafka ${kafka.value.brokers}${kafka.value.external ? ' (external)' : ''}`,
  );
  return {
    postgres: postgres.value,
    kafka: kafka.value,
    stop: async () => {
      await Promise.allSettled([kafka.value.stop(), postgres.value.stop()]);
    },
  };
}

/**
 * Postgres and Kafka started again whenever they exit unasked (`npm start`, `npm run infra`; see
 * infra-supervision.ts), until `stopping()` says the stack is shutting down.
 */
export function keepInfraRunning(infra: Infra, log: (line: string) => void, stopping: () => boolean): void {
  keepRunning('Postgres', infra.postgres, { log, stopping });
  keepRunning('Kafka', infra.kafka, { log, stopping });
}

/**
 * Stops infrastructure that is up or still starting (then once it is up: a signal in the first
 * seconds must not orphan the broker and Postgres). A start that failed stopped its own parts.
 */
export async function stopInfraOnceUp(starting: Promise<Infra> | undefined): Promise<void> {
  await starting?.then(
    (infra) => infra.stop(),
    () => undefined,
  );
}

/**
 * Writes where the suites find this infrastructure (test/support/stack-file.ts reads it:
 * STACK_FILE=<the returned path> npx jest ...).
 */
export function writeStackFile(infra: Infra, dataDir: string): string {
  const stackFile = join(dataDir, 'stack.json');
  const info = { brokers: infra.kafka.brokers, postgresServerUrl: infra.postgres.serverUrl, dataDir };
  writeFileSync(stackFile, JSON.stringify(info, null, 2));
  return stackFile;
}
