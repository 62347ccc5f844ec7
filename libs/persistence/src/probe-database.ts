import { Client } from 'pg';

/**
 * One fresh connection and `SELECT 1`: answers "is the database reachable now" without touching
 * the pool, whose connections may all be broken by the outage being probed.
 */
export async function probeDatabase(url: string, timeoutMs = 2000): Promise<void> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
