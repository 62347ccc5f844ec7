import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { constraintMessages } from './constraint-messages';

/** Thrown at start-up when the environment does not satisfy a service's config schema. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Variables whose values must never reach a log line, even when wrong: a too-short secret or a
 * pasted private key is still a secret. Their problems name the variable and the reason only.
 */
const SECRET_NAME = /SECRET|PASSWORD|PRIVATE|TOKEN|CREDENTIAL|(^|_)KEY(_|$)/i;

/** A URL's password (postgres://user:secret@host/db) is a secret too. */
function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, '$1:***@');
}

function describe(errors: ValidationError[], env: Record<string, string | undefined>): string[] {
  return errors.flatMap((error) => {
    const raw = env[error.property];
    const shown =
      raw === undefined
        ? 'missing'
        : SECRET_NAME.test(error.property) || /[\r\n]/.test(raw) || raw.length > 200
          ? `value not shown, ${raw.length} characters`
          : `got "${withoutCredentials(raw)}"`;
    return constraintMessages(error).map((message) => `${error.property}: ${message} (${shown})`);
  });
}

/** Read from the environment by a library rather than by a config class (node-postgres). */
const LIBRARY_VARIABLES = ['PGPASSWORD'];

/** The variables a config class reads: its defaults and every validated property. */
function variablesOf(schema: new () => object): Set<string> {
  const validated = getMetadataStorage()
    .getTargetValidationMetadatas(schema, '', true, false)
    .map((metadata) => metadata.propertyName);
  return new Set([...Object.keys(new schema()), ...validated, ...LIBRARY_VARIABLES]);
}

/**
 * `NAME_FILE=/path` sets `NAME` to that file's content (trailing newline dropped), for the
 * variables the service reads: the convention of Docker secrets and of the official images
 * (postgres' POSTGRES_PASSWORD_FILE), so a secret generated or mounted as a file never has to pass
 * through a shell's environment. Written back into `env`, so a library that reads the environment
 * itself (node-postgres and PGPASSWORD) sees it too.
 */
function resolveFileVariables(env: Record<string, string | undefined>, variables: Set<string>): string[] {
  const problems: string[] = [];
  for (const key of variables) {
    const fileKey = `${key}_FILE`;
    const path = env[fileKey];
    if (!path) {
      continue;
    }
    if (env[key]) {
      problems.push(`${fileKey}: set ${key} or ${fileKey}, not both`);
      continue;
    }
    try {
      env[key] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${fileKey}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return problems;
}

/**
 * Builds a typed config object from environment variables. Defaults live on the schema class as
 * property initialisers; a bad or missing variable stops start-up with a message naming it.
 */
export function loadConfig<T extends object>(
  schema: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const fileProblems = resolveFileVariables(env, variablesOf(schema));
  if (fileProblems.length > 0) {
    throw new ConfigValidationError(fileProblems);
  }
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const config = plainToInstance(schema, defined, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(describe(errors, env));
  }
  return config;
}
