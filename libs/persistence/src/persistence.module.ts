import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { types } from 'pg';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { UnitOfWork } from '@storage/ddd';
import { ensureDatabase } from './ensure-database';
import { serviceClientClass } from './service-client';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';

export interface PersistenceOptions {
  url: string;
  poolSize: number;
  /** Parameterised statements prepared once per connection (see serviceClientClass). */
  preparedStatements: boolean;
  /**
   * Longest a statement may run before Postgres cancels it; a connection whose server stays
   * silent for twice as long is closed (see watchReplies). DEFAULT_STATEMENT_TIMEOUT_MS if unset.
   */
  statementTimeoutMs?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

// A DATE is a calendar day, not an instant: keep 'YYYY-MM-DD' instead of a local-midnight Date.
const PG_DATE_OID = 1082;
types.setTypeParser(PG_DATE_OID, (value: string) => value);

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * How long a connection waits for a reply before it is taken for lost: twice the statement
 * timeout, by which a live server has answered every statement, if only with its cancellation.
 */
export function replyStallMs(statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS): number {
  return 2 * statementTimeoutMs;
}

/** Any constant works; it only has to be the same for every replica of every service. */
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Replicas starting together would race on the migrations table; a session advisory lock lets
 * one migrate while the others wait, then find nothing left to do.
 */
async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

export function buildDataSourceOptions(options: PersistenceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    synchronize: false,
    migrationsRun: false,
    // Failures surface as exceptions and are logged (as JSON) where they are handled.
    logging: false,
    extra: {
      Client: serviceClientClass({
        preparedStatements: options.preparedStatements,
        replyStallMs: replyStallMs(options.statementTimeoutMs),
      }),
      max: options.poolSize,
      // pg-pool closes a connection idle for 10 s by default; after a lull of more than that the
      // next burst paid for new ones (a backend forked and authenticated, its caches filled, its
      // statements prepared and planned again). Idle connections cost Postgres little memory.
      idleTimeoutMillis: 300_000,
      connectionTimeoutMillis: 3000,
      // A statement stuck behind a lock must not hold a request forever.
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: 30_000,
    },
  };
}

@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(options),
          dataSourceFactory: async (dataSourceOptions) => {
            await ensureDatabase(options.url);
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            await migrateUnderLock(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: UnitOfWork, useClass: TypeOrmUnitOfWork }],
      exports: [TypeOrmModule, UnitOfWork],
    };
  }
}
