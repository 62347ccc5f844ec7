import { Client } from 'pg';

/**
 * One fresh connection and one question: answers "can the service write to the database now"
 * without touching the pool, whose connections may all be broken by the outage being probed. A
 * database that answers but takes no writes (a standby, a primary mid-failover) is still down
 * for a consumer: every event it applies writes.
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
    const { rows } = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
    if (rows[0]?.transaction_read_only !== 'off') {
      throw new Error('The database answers but takes no writes (read-only)');
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
