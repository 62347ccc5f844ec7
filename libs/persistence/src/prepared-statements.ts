import { createHash } from 'node:crypto';
import { Client, type QueryConfig } from 'pg';

/** Distinct statements that get a name; any beyond run unnamed, so the cache stays bounded. */
const MAX_NAMED_STATEMENTS = 2000;
const MAX_NAMED_TEXT = 10_000;
const names = new Map<string, string>();

function nameFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED_STATEMENTS && text.length <= MAX_NAMED_TEXT) {
    name = `s${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * node-postgres sends a parameterised query unnamed, so Postgres parses, analyses and plans it
 * again on every call, and TypeORM's queries (every column aliased) are long to parse. Named, a
 * statement is prepared once per connection and then only bound and executed, its plan cached by
 * Postgres' usual rules (custom plans first, a generic one when it is no worse). Only queries
 * with parameters are named: a multi-statement script (a migration) cannot be prepared.
 * Incompatible with a transaction-mode connection pooler that does not track prepared statements
 * (PgBouncer before 1.21): DB_PREPARED_STATEMENTS=false turns it off.
 */
export class PreparingClient extends Client {
  // pg's query() has many overloads; only (text, values[, callback]), TypeORM's call, is rewritten.
  override query(...args: unknown[]): never {
    const [text, values, ...rest] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = nameFor(text);
      if (name) {
        const config: QueryConfig = { name, text, values: values as unknown[] };
        return (super.query as (...all: unknown[]) => never)(config, ...rest);
      }
    }
    return (super.query as (...all: unknown[]) => never)(...args);
  }
}
