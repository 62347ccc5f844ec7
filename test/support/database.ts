import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { InboxMessageOrmEntity, MESSAGING_MIGRATIONS, OutboxMessageOrmEntity } from '@storage/messaging';
import { buildDataSourceOptions, ensureDatabase, type PersistenceOptions } from '@storage/persistence';
import { stackInfo } from './stack-file';

/**
 * A fresh database on the suite run's real Postgres, migrated by the service's own migrations,
 * dropped afterwards. Integration tests get the real schema (constraints included) in isolation.
 */
export async function freshDatabase(
  options: Pick<PersistenceOptions, 'entities' | 'migrations'> &
    Partial<Pick<PersistenceOptions, 'poolSize'>>,
): Promise<{ dataSource: DataSource; url: string; drop: () => Promise<void> }> {
  const name = `it_${randomBytes(6).toString('hex')}`;
  const server = new URL(stackInfo().postgresServerUrl);
  const url = new URL(server);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  const dataSource = await new DataSource(
    buildDataSourceOptions({ url: url.toString(), poolSize: 10, preparedStatements: true, ...options }),
  ).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    url: url.toString(),
    drop: async () => {
      await dataSource.destroy();
      const admin = new Client({ connectionString: new URL('/postgres', server).toString() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** An ORM entity or a migration. */
type Constructor = new () => unknown;

/** A fresh database with a data service's own tables and, as the service has them, its outbox and inbox. */
export function freshServiceDatabase(
  entities: Constructor[],
  migrations: Constructor[],
): ReturnType<typeof freshDatabase> {
  return freshDatabase({
    entities: [...entities, OutboxMessageOrmEntity, InboxMessageOrmEntity],
    migrations: [...MESSAGING_MIGRATIONS, ...migrations],
  });
}
