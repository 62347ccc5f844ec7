import { createHash } from 'node:crypto';
import { Client, Query, type QueryConfig } from 'pg';
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

/** The parts of node-postgres' connection and Query that a query sent after BEGIN uses. */
interface WireConnection {
  parse(message: { text: string }): void;
  bind(message: object): void;
  execute(message: object): void;
  submittedNamedStatements: Record<string, string | undefined>;
}
interface QueryInternals {
  name?: string;
  callback?: QueryCallback;
  prepare(connection: WireConnection): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
  handleError(error: unknown, connection: WireConnection): void;
}
const PgQuery = Query as unknown as new (
  config: QueryConfig & { callback?: QueryCallback },
) => QueryInternals;

/**
 * A parameterised query with the BEGIN of its transaction in front, in one round trip: Parse,
 * Bind, Execute of BEGIN, then the query's own messages and one Sync. Postgres runs them in order;
 * if BEGIN fails, the query is skipped (everything up to the Sync is), so the query never runs
 * outside the transaction it was written for. The answer is the query's: BEGIN's CommandComplete
 * is not a result.
 */
class QueryAfterBegin extends PgQuery {
  private beginCompleted = false;
  private failed = false;
  /**
   * node-postgres marks the active query's statement as parsed on the first ParseComplete, which is
   * BEGIN's: the query's name is held back until BEGIN has completed, so a statement whose own
   * Parse fails is not taken for prepared on this connection.
   */
  private heldName: string | undefined;

  override prepare(connection: WireConnection): void {
    connection.parse({ text: 'BEGIN' });
    connection.bind({});
    connection.execute({});
    const name = this.name;
    super.prepare(connection);
    if (name && !this.failed) {
      this.heldName = name;
      this.name = undefined;
    }
  }

  override handleCommandComplete(message: unknown, connection: WireConnection): void {
    if (!this.beginCompleted) {
      this.beginCompleted = true;
      this.restoreName();
      return;
    }
    super.handleCommandComplete(message, connection);
  }

  override handleError(error: unknown, connection: WireConnection): void {
    this.failed = true;
    if (this.heldName !== undefined) {
      // BEGIN failed: the query's Parse was skipped, so its statement was never prepared.
      delete connection.submittedNamedStatements[this.heldName];
      this.restoreName();
    }
    super.handleError(error, connection);
  }

  private restoreName(): void {
    if (this.heldName !== undefined) {
      this.name = this.heldName;
      this.heldName = undefined;
    }
  }
}

/**
 * TypeORM's statements around a transaction (PostgresQueryRunner), matched as TypeORM writes them:
 * no copy of every statement's text to normalise it. Another spelling takes the general way.
 */
const START = 'START TRANSACTION';
const ENDS = new Set(['COMMIT', 'ROLLBACK']);

/** What node-postgres answers for a statement without rows; TypeORM reads `rows`. */
function commandResult(command: string) {
  return { command, rowCount: null, oid: null, rows: [], fields: [] };
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
 * BEGIN travels with the transaction's first statement. TypeORM sends START TRANSACTION and waits
 * for it before its first statement: a round trip of its own in every transaction (about 3 of the
 * 27 statements of a booking). The client answers START TRANSACTION at once and holds it; the next
 * statement goes out with BEGIN in front of it, in one round trip (QueryAfterBegin). A transaction
 * that ends before any statement (COMMIT or ROLLBACK next) sends nothing at all; a first statement
 * that cannot follow BEGIN in the same message (no parameters: it may be a script of several)
 * waits for BEGIN as before. The held BEGIN belongs to the checkout that asked for it: pg-pool
 * gives every checkout its own `release` function, and a BEGIN held when the client went back
 * to the pool is dropped, never opened in front of the next borrower's statement.
 *
 * With tracing exported, each query of a traced request is a span (see `traced`).
 */
export function serviceClientClass(options: { preparedStatements: boolean }): typeof Client {
  return class ServiceClient extends Client {
    /** The checkout (its `release`) whose START TRANSACTION has not been sent yet; null if none. */
    private beginHeldFor: unknown = null;

    // pg's query() has many overloads; only (text, values[, callback]), TypeORM's call, is rewritten.
    override query(...args: unknown[]): never {
      return traced(args, this.database ?? 'postgres', (given) => this.send(given)) as never;
    }

    private send(given: unknown[]): unknown {
      const [text, values, callback] = given;
      const checkout = (this as { release?: unknown }).release ?? undefined;
      const held = this.beginHeldFor !== null && this.beginHeldFor === checkout;
      this.beginHeldFor = null;
      if (typeof text !== 'string' || given.length > 3 || (values !== undefined && !Array.isArray(values))) {
        // Not TypeORM's call (a config object, a cursor): node-postgres' own queue, BEGIN first.
        if (held) {
          this.pg([START, (error: Error | null) => error && this.connection.stream.destroy(error)]);
        }
        return this.plain(given);
      }
      const answer = typeof callback === 'function' ? (callback as QueryCallback) : undefined;
      const parameters = Array.isArray(values) && values.length > 0 ? (values as unknown[]) : undefined;
      if (text === START && !held && !parameters) {
        this.beginHeldFor = checkout;
        return this.answered(answer, commandResult('BEGIN'));
      }
      if (!held) {
        return this.plain(given);
      }
      if (ENDS.has(text)) {
        // Nothing was sent in this transaction: there is nothing to commit or roll back.
        return this.answered(answer, commandResult(text));
      }
      if (parameters) {
        const name = options.preparedStatements ? nameFor(text) : undefined;
        return this.submit(new QueryAfterBegin({ name, text, values: parameters, callback: answer }), answer);
      }
      // No parameters: possibly several statements, which cannot follow BEGIN in one message.
      const result = (this.pg([START]) as Promise<unknown>).then(
        () => this.plain([text, values]) as Promise<unknown>,
      );
      if (!answer) {
        return result;
      }
      result.then(
        (value) => answer(null, value),
        (error: Error) => answer(error, undefined),
      );
      return undefined;
    }

    /** A query as node-postgres sends it, named when it has parameters (see above). */
    private plain(given: unknown[]): unknown {
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
          return this.pg([config, ...rest]);
        }
      }
      return this.pg(given);
    }

    private submit(query: QueryInternals, callback: QueryCallback | undefined): unknown {
      if (callback) {
        this.pg([query]);
        return undefined;
      }
      return new Promise((resolve, reject) => {
        query.callback = (error, result) => (error ? reject(error) : resolve(result));
        this.pg([query]);
      });
    }

    private answered(callback: QueryCallback | undefined, result: unknown): unknown {
      if (callback) {
        process.nextTick(() => callback(null, result));
        return undefined;
      }
      return Promise.resolve(result);
    }

    private pg(args: unknown[]): unknown {
      return (super.query as (...given: unknown[]) => unknown).apply(this, args);
    }
  };
}
