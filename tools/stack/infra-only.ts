/**
 * `npm run infra`: only Postgres and Kafka (same data dir and ports as `npm start`), for running
 * one service from your editor or with `node --watch`. Prints the variables to export.
 */
import { join } from 'node:path';
import { keepInfraRunning, ROOT, startInfra, writeStackFile } from './infra';
import { DATABASES } from './services';
import { databaseUrl } from './database-url';

const log = (line: string) => process.stdout.write(`[infra] ${line}\n`);

async function main(): Promise<void> {
  const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, '.data', 'dev');
  const infra = await startInfra({ dataDir, preferDefaultPorts: true, durable: true, log });
  let stopping = false;
  keepInfraRunning(infra, log, () => stopping);
  const stackFile = writeStackFile(infra, dataDir);
  log(`Stack file for tests: ${stackFile}`);
  log(`export KAFKA_BROKERS=${infra.kafka.brokers}`);
  for (const [service, database] of Object.entries(DATABASES)) {
    log(`${service}: DATABASE_URL=${databaseUrl(infra.postgres.serverUrl, database)}`);
  }
  log('Ctrl-C stops both.');
  const stop = () => {
    stopping = true;
    void infra.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
