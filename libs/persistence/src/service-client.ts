import { createHash } from 'node:crypto';
import { Client, type QueryConfig } from 'pg';
import { currentRequestContext, endSpan, SpanKind, startSpan, tracingExported } from '@storage/observability';

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

type QueryCallback = (error: Error | null, result: unknown) => void;

/**
 * A query of a traced request or message as a span: operation and statement text (never the
 * parameter values, which hold customers' data). Queries outside any request (the relay's polls)
 * would each be a trace of their own: they are not traced.
 */
function traced(args: unknown[], database: string, run: (args: unknown[]) => unknown): unknown {
  const parent = tracingExported() ? currentRequestContext()?.span : undefined;
  const [text, , callback] = args;
  if (!parent || typeof text !== 'string') {
    return run(args);
  }
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  const span = startSpan(`${operation} ${database}`, {
    kind: SpanKind.CLIENT,
    parent,
    attributes: {
      'db.system.name': 'postgresql',
      'db.namespace': database,
      'db.operation.name': operation,
      'db.query.text': text.slice(0, 2000),
    },
  });
  if (typeof callback === 'function') {
    // TypeORM's call: (text, values, callback).
    const wrapped: QueryCallback = (error, result) => {
      endSpan(span, error ?? undefined);
      (callback as QueryCallback)(error, result);
    };
    return run([args[0], args[1], wrapped, ...args.slice(3)]);
  }
  const result = run(args);
  if (result instanceof Promise) {
    result.then(
      () => endSpan(span),
      (error: unknown) => endSpan(span, error),
    );
  } else {
    endSpan(span);
  }
  return result;
}

/**
 * The node-postgres client every data service uses (TypeORM's `extra.Client`).
 *
 * With `preparedStatements`: node-postgres sends a parameterised query unnamed, so Postgres
 * parses, analyses and plans it again on every call, and TypeORM's queries (every column aliased)
 * are long to parse. Named, a statement is prepared once per connection and then only bound and
 * executed, its plan cached by Postgres' usual rules (custom plans first, a generic one when it is
 * no worse). Only queries with parameters are named: a multi-statement script (a migration) cannot
 * be prepared. Incompatible with a transaction-mode connection pooler that does not track prepared
 * statements (PgBouncer before 1.21): DB_PREPARED_STATEMENTS=false turns it off.
 *
 * With tracing exported, each query of a traced request is a span (see `traced`).
 */
export function serviceClientClass(options: { preparedStatements: boolean }): typeof Client {
  return class ServiceClient extends Client {
    // pg's query() has many overloads; only (text, values[, callback]), TypeORM's call, is rewritten.
    override query(...args: unknown[]): never {
      const send = (all: unknown[]) => (super.query as (...given: unknown[]) => never)(...all);
      return traced(args, this.database ?? 'postgres', (given) => {
        const [text, values, ...rest] = given;
        if (
          options.preparedStatements &&
          typeof text === 'string' &&
          Array.isArray(values) &&
          values.length > 0
        ) {
          const name = nameFor(text);
          if (name) {
            const config: QueryConfig = { name, text, values: values as unknown[] };
            return send([config, ...rest]);
          }
        }
        return send(given);
      }) as never;
    }
  };
}
