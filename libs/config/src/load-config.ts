import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

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
    return Object.values(error.constraints ?? {}).map(
      (message) => `${error.property}: ${message} (${shown})`,
    );
  });
}

/**
 * Builds a typed config object from environment variables. Defaults live on the schema class as
 * property initialisers; a bad or missing variable stops start-up with a message naming it.
 */
export function loadConfig<T extends object>(
  schema: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
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
