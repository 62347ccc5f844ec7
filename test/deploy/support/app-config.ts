/**
 * The services' own configuration schemas (apps/<app>/src/<app>.config.ts), so the deployment
 * files are checked against what each service really reads and validates at start.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { getMetadataStorage } from 'class-validator';
import { BaseServiceConfig, ConfigValidationError, DataServiceConfig, loadConfig } from '@storage/config';
import { repoPath } from './repo';

type ConfigClass = new () => BaseServiceConfig;

/**
 * Variables that are not part of a config class but are read on purpose: node-postgres reads
 * PGPASSWORD and PGSSLMODE when DATABASE_URL carries neither; NODE_ENV is set by the image.
 */
export const ENV_READ_OUTSIDE_CONFIG = ['PGPASSWORD', 'PGSSLMODE', 'NODE_ENV'] as const;

export interface AppConfigSchema {
  app: string;
  file: string;
  configClass: ConfigClass;
  /** The port the service listens on when PORT is not set (the class default). */
  defaultPort: number;
  /** True when the service owns a database and talks over Kafka. */
  isDataService: boolean;
  /** Every variable the config class declares (validated properties, inherited ones included). */
  knownVariables: Set<string>;
}

function isConfigClass(value: unknown): value is ConfigClass {
  return typeof value === 'function' && value.prototype instanceof BaseServiceConfig;
}

/** Loads apps/<app>/src/<app>.config.ts and finds the config class it exports. */
export async function loadAppConfigSchema(app: string): Promise<AppConfigSchema> {
  const file = repoPath('apps', app, 'src', `${app}.config.ts`);
  if (!existsSync(file)) {
    throw new Error(`${app}: no config schema at apps/${app}/src/${app}.config.ts`);
  }
  const exported = Object.values((await import(file)) as Record<string, unknown>).filter(isConfigClass);
  // A module may export a base class too: the service's own class is the most derived one.
  const configClass = exported.find((candidate) =>
    exported.every((other) => other === candidate || !(other.prototype instanceof candidate)),
  );
  if (!configClass) {
    throw new Error(`${app}: ${file} exports no class extending BaseServiceConfig`);
  }
  const knownVariables = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(configClass, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  return {
    app,
    file,
    configClass,
    defaultPort: new configClass().PORT,
    isDataService: configClass.prototype instanceof DataServiceConfig,
    knownVariables,
  };
}

/**
 * Runs the service's own start-up validation on an environment. Returns the problems (empty when
 * the service would start), including variables the service does not know (typos, stale names).
 */
export function configProblems(schema: AppConfigSchema, env: Record<string, string>): string[] {
  const known = (name: string): boolean =>
    schema.knownVariables.has(name) || (ENV_READ_OUTSIDE_CONFIG as readonly string[]).includes(name);
  // NAME_FILE is read into NAME by loadConfig (Docker secrets' convention).
  const unknown = Object.keys(env)
    .filter((name) => !known(name) && !(name.endsWith('_FILE') && known(name.slice(0, -'_FILE'.length))))
    .map((name) => `${name}: not a setting of ${schema.app} (see ${schema.file})`);
  try {
    loadConfig(schema.configClass, env);
    return unknown;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return [...unknown, ...error.problems];
    }
    throw error;
  }
}
