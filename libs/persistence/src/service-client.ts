import { createHash } from 'node:crypto';
import { Client, Query, type QueryConfig } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { currentRequestContext, endSpan, SpanKind, startSpan, tracingExported } from '@storage/observability';
import { databaseRoundTrips } from './database-client.metrics';
import { watchReplies } from './reply-watchdog';
import { transactionManager } from './typeorm-unit-of-work';

/** Distinct statements that get a name; any beyond run unnamed, so the cache stays bounded. */
const MAX_NAMED_STATEMENTS = 2000;
const MAX_NAMED_TEXT = 10_000;
const names = new Map<string, string>();
const plannedEachCall = new Set<string>();

/**
 * Marks a statement to be planned on every call, with its parameters and the tables as they are
 * then: the service client never prepares it (see serviceClientClass). For a statement whose best
 * plan changes as a table grows from empty: a prepared statement's generic plan is made once per
 * connection and kept until the table is next analysed, so one made in a fresh deployment's first
 * seconds can scan a table that has since grown. Planning costs a fraction of a millisecond per
 * call; spend it only where the plan has proved to go stale. Returns `text`.
 */
export function planEachCall(text: string): string {
  plannedEachCall.add(text);
  return text;
}

function nameFor(text: string): string | undefined {
  if (plannedEachCall.has(text)) {
    return undefined;
  }
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

/** The parts of node-postgres' connection and Query that a pipelined query uses. */
interface WireConnection {
  parse(message: { text: string; name?: string }): void;
  bind(message: { statement?: string; values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(message: object): void;
  sync(): void;
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
}
interface QueryInternals {
  name?: string;
  text: string;
  callback?: QueryCallback;
  _canceledDueToError: unknown;
  prepare(connection: WireConnection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: { text: string }, connection: WireConnection): void;
  handleError(error: unknown, connection: WireConnection): void;
  handleReadyForQuery(connection: WireConnection): void;
}
const PgQuery = Query as unknown as new (
  config: QueryConfig & { callback?: QueryCallback; queryMode?: 'extended' },
) => QueryInternals;

/**
 * A statement sent ahead of the next one of its transaction, in the same message (see
 * `sendAhead`). Its answer is only its row count, which `check` may refuse: then the statement
 * behind it fails with that error, after it ran (its transaction must be rolled back).
 */
export interface StatementAhead {
  text: string;
  /** Converted as node-postgres converts a query's parameters. */
  values: readonly unknown[];
  check?: (rowCount: number) => Error | undefined;
}
interface Step {
  text: string;
  name?: string;
  values?: unknown[];
  check?: StatementAhead['check'];
}
const BEGIN_STEP: Step = { text: 'BEGIN' };

/** The row count at the end of a CommandComplete tag ("INSERT 0 1", "UPDATE 3", "SELECT 1"). */
function rowCountOf(tag: string): number {
  const count = Number(/(\d+)$/.exec(tag)?.[1]);
  return Number.isNaN(count) ? 0 : count;
}

/**
 * A query with statements in front of it, in one round trip: Parse, Bind, Execute of each (BEGIN,
 * statements sent ahead), then the query's own messages and one Sync. Postgres runs them in order,
 * each with its own snapshot, and skips everything up to the Sync after one fails: the query never
 * runs outside the transaction it was written for, nor without the statements meant to precede it.
 * The answer is the query's; the others' CommandComplete only feed their checks. Without a query
 * of its own the steps alone are sent and the answer is empty.
 *
 * node-postgres files a ParseComplete under the active query's name and text: while the steps'
 * answers arrive, name and text are those of the step being answered, and a failure forgets every
 * statement whose Parse was skipped, so none is taken for prepared on this connection.
 */
class PipelinedQuery extends PgQuery {
  private answered = 0;
  private readonly own: { name?: string; text: string };
  /** Named statements this message parses after the step being answered (skipped on a failure). */
  private readonly parsing: (string | undefined)[] = [];
  private readonly flushOnly: boolean;

  /** `query` null: the steps alone (a flush before COMMIT or before a statement sent on its own). */
  constructor(
    private readonly steps: Step[],
    query: { name?: string; text: string; values: unknown[] } | null,
    callback?: QueryCallback,
  ) {
    const own = query ?? { text: steps[steps.length - 1].text };
    super({ ...own, callback, queryMode: 'extended' });
    this.own = { name: query?.name, text: own.text };
    this.flushOnly = query === null;
  }

  override prepare(connection: WireConnection): void {
    for (const step of this.steps) {
      const parsed =
        step.name !== undefined &&
        (connection.parsedStatements[step.name] !== undefined ||
          connection.submittedNamedStatements[step.name] !== undefined);
      if (!parsed) {
        connection.parse({ text: step.text, name: step.name });
        if (step.name !== undefined) {
          connection.submittedNamedStatements[step.name] = step.text;
        }
      }
      this.parsing.push(parsed ? undefined : step.name);
      connection.bind({ statement: step.name, values: step.values, valueMapper: prepareValue });
      connection.execute({});
    }
    if (this.flushOnly) {
      connection.sync();
    } else {
      const parsed = this.own.name !== undefined && connection.parsedStatements[this.own.name] !== undefined;
      const submitted = this.own.name !== undefined && connection.submittedNamedStatements[this.own.name];
      super.prepare(connection);
      this.parsing.push(parsed || submitted ? undefined : this.own.name);
    }
    this.answering(0);
  }

  override handleDataRow(message: unknown): void {
    if (this.answered >= this.steps.length) {
      super.handleDataRow(message);
    }
  }

  override handleCommandComplete(message: { text: string }, connection: WireConnection): void {
    if (this.answered >= this.steps.length) {
      super.handleCommandComplete(message, connection);
      return;
    }
    const refusal = this.steps[this.answered].check?.(rowCountOf(message.text));
    if (refusal && !this._canceledDueToError) {
      this._canceledDueToError = refusal;
    }
    this.answering(this.answered + 1);
  }

  override handleError(error: unknown, connection: WireConnection): void {
    // Everything after the failed step was skipped, its Parse too.
    for (const name of this.parsing.slice(this.answered + 1)) {
      if (name !== undefined) {
        delete connection.submittedNamedStatements[name];
      }
    }
    this.answering(this.steps.length);
    super.handleError(error, connection);
  }

  /** Step `index` (or, past the steps, the query itself) is the one whose answers arrive next. */
  private answering(index: number): void {
    this.answered = index;
    const current = index < this.steps.length ? this.steps[index] : this.own;
    this.name = current.name;
    this.text = current.text;
  }
}

/**
 * TypeORM's statements around a transaction (PostgresQueryRunner), matched as TypeORM writes them:
 * no copy of every statement's text to normalise it. Another spelling takes the general way.
 */
const START = 'START TRANSACTION';
const COMMIT = 'COMMIT';
const ROLLBACK = 'ROLLBACK';

/** What node-postgres answers for a statement without rows; TypeORM reads `rows`. */
function commandResult(command: string) {
  return { command, rowCount: null, oid: null, rows: [], fields: [] };
}

/** What a checkout has asked for and not sent yet: its BEGIN and statements to send ahead. */
interface Held {
  /** pg-pool gives every checkout its own `release` function: the checkout it belongs to. */
  checkout: unknown;
  begin: boolean;
  steps: Step[];
}

/**
 * The node-postgres client every data service uses (TypeORM's `extra.Client`).
 *
 * With `preparedStatements`: node-postgres sends a parameterised query unnamed, so Postgres
 * parses, analyses and plans it again on every call, and TypeORM's queries (every column aliased)
 * are long to parse. Named, a statement is prepared once per connection and then only bound and
 * executed, its plan cached by Postgres' usual rules (custom plans first, a generic one when it is
 * no worse). Only queries with parameters are named: a multi-statement script (a migration) cannot
 * be prepared; nor is a statement marked with `planEachCall`. Incompatible with a transaction-mode
 * connection pooler that does not track prepared statements (PgBouncer before 1.21):
 * DB_PREPARED_STATEMENTS=false turns it off.
 *
 * BEGIN travels with the transaction's first statement. TypeORM sends START TRANSACTION and waits
 * for it before its first statement: a round trip of its own in every transaction (about 3 of the
 * 27 statements of a booking). The client answers START TRANSACTION at once and holds it; the next
 * statement goes out with BEGIN in front of it, in one round trip (PipelinedQuery). A transaction
 * that ends before any statement (COMMIT or ROLLBACK next) sends nothing at all; a first statement
 * that cannot follow BEGIN in the same message (no parameters: it may be a script of several)
 * waits for BEGIN as before.
 *
 * Statements sent ahead (`sendAhead`: an inbox row, an advisory lock, a last write) are held the
 * same way and go out in front of the transaction's next statement, or with COMMIT in its message
 * (COMMIT is skipped if one fails; statements with a check are answered before COMMIT is sent, which
 * is not sent if a check refuses); ROLLBACK drops them. Held BEGIN and statements belong to the
 * checkout that asked for them: held when the client went back to the pool, they are dropped,
 * never sent in front of the next borrower's statement.
 *
 * With tracing exported, each query of a traced request is a span (see `traced`).
 *
 * With `replyStallMs`, a connection whose server has not answered a statement for that long is
 * closed (see `watchReplies`).
 */
export function serviceClientClass(options: {
  preparedStatements: boolean;
  replyStallMs?: number;
}): typeof Client {
  return class ServiceClient extends Client {
    private held: Held | null = null;

    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config);
      this.connection.on('readyForQuery', () => databaseRoundTrips.inc());
      if (options.replyStallMs !== undefined) {
        watchReplies(this, options.replyStallMs);
      }
    }

    // pg's query() has many overloads; only (text, values[, callback]), TypeORM's call, is rewritten.
    override query(...args: unknown[]): never {
      return traced(args, this.database ?? 'postgres', (given) => this.send(given)) as never;
    }

    /** Holds `statement` until the checkout's next one (see the class comment and `sendAhead`). */
    sendAhead(statement: StatementAhead): void {
      const checkout = this.checkout();
      const held = this.held !== null && this.held.checkout === checkout ? this.held : null;
      this.held = held ?? { checkout, begin: false, steps: [] };
      this.held.steps.push({
        text: statement.text,
        name: options.preparedStatements ? nameFor(statement.text) : undefined,
        values: [...statement.values],
        check: statement.check,
      });
    }

    private checkout(): unknown {
      return (this as { release?: unknown }).release ?? undefined;
    }

    private send(given: unknown[]): unknown {
      const [text, values, callback] = given;
      const checkout = this.checkout();
      const held = this.held !== null && this.held.checkout === checkout ? this.held : null;
      this.held = null;
      const ahead = held ? [...(held.begin ? [BEGIN_STEP] : []), ...held.steps] : [];
      if (typeof text !== 'string' || given.length > 3 || (values !== undefined && !Array.isArray(values))) {
        // Not TypeORM's call (a config object, a cursor): node-postgres' own queue, held ones first.
        // Nothing calls it inside a transaction today; should a held step fail, the transaction
        // cannot go on, and the connection is closed rather than run the query without it.
        if (ahead.length > 0) {
          this.pg([
            new PipelinedQuery(ahead, null, (error) => error && this.connection.stream.destroy(error)),
          ]);
        }
        return this.plain(given);
      }
      const answer = typeof callback === 'function' ? (callback as QueryCallback) : undefined;
      const parameters = Array.isArray(values) && values.length > 0 ? (values as unknown[]) : undefined;
      if (text === START && !held && !parameters) {
        this.held = { checkout, begin: true, steps: [] };
        return this.answered(answer, commandResult('BEGIN'));
      }
      if (!held) {
        return this.plain(given);
      }
      if (text === ROLLBACK) {
        // The statements held for the transaction are dropped with it; if its BEGIN is still held
        // too, nothing was sent and there is nothing to roll back.
        return held.begin ? this.answered(answer, commandResult(text)) : this.plain(given);
      }
      if (text === COMMIT && held.begin && held.steps.length === 0) {
        // Nothing was sent in this transaction: there is nothing to commit.
        return this.answered(answer, commandResult(text));
      }
      if (parameters) {
        const name = options.preparedStatements ? nameFor(text) : undefined;
        return this.submit(new PipelinedQuery(ahead, { name, text, values: parameters }, answer), answer);
      }
      if (text === COMMIT && held.steps.every((step) => step.check === undefined)) {
        // Held statements whose answers nobody checks go out with COMMIT, in one message: should
        // one fail, Postgres skips COMMIT with the rest, and the failure is COMMIT's, as for any
        // failed COMMIT (the unit of work then rolls back). A check must see its answer first:
        // its refusal has to stop COMMIT, so those are sent on their own before it (below).
        return this.submit(new PipelinedQuery(ahead, { text, values: [] }, answer), answer);
      }
      // COMMIT after held statements with a check, or no parameters (possibly several statements,
      // which cannot follow others in one message): the held ones first, then this, unless they
      // failed or a check refused.
      const result = new Promise<unknown>((resolve, reject) => {
        this.pg([
          new PipelinedQuery(ahead, null, (error, value) => (error ? reject(error) : resolve(value))),
        ]);
      }).then(() => this.plain([text, values]) as Promise<unknown>);
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

/**
 * Sends `statement` in the open unit of work's transaction in front of its next statement, in the
 * same round trip instead of one of its own: for a statement whose answer the code does not need
 * before it goes on (an inbox row, an advisory lock, a transaction's last write). It has run before
 * the next statement runs (whose snapshot, in READ COMMITTED, is taken after it); its error, or its
 * check's refusal, becomes the next statement's (or COMMIT's). Without a check, the last ones go
 * in COMMIT's own message. A transaction rolled back first never sends it.
 */
export function sendAhead(what: string, statement: StatementAhead): void {
  const runner = transactionManager(what).queryRunner as { databaseConnection?: unknown } | undefined;
  const client = runner?.databaseConnection as
    { sendAhead?: (statement: StatementAhead) => void } | undefined;
  if (typeof client?.sendAhead !== 'function') {
    throw new Error(`${what} needs the service client (libs/persistence service-client.ts) as the pg client`);
  }
  client.sendAhead(statement);
}
