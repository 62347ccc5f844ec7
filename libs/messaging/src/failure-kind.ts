import { DomainError } from '@storage/ddd';
import { PoisonMessageError } from './event-errors';

/**
 * What a failed handler means for its message, decided once for every consumer:
 * - `poison`: the message itself is invalid (contract, JSON, version): dead-letter at once.
 * - `rejected`: a business rule refuses it and always will: dead-letter at once, with the code.
 * - `database-unavailable`: the database cannot be reached; the consumer pauses, readiness goes
 *   red, and the message is applied once a probe succeeds. Never dead-lettered.
 * - `transient`: a conflict with concurrent work (serialization failure, deadlock, lock or
 *   statement timeout, contended units, a broker hiccup): retried with back-off, never
 *   dead-lettered.
 * - `unknown`: anything else (a bug, most likely): retried a bounded number of times, then
 *   dead-lettered with an alert, so it can be replayed once fixed.
 */
export type FailureKind = 'poison' | 'rejected' | 'database-unavailable' | 'transient' | 'unknown';

/** SQLSTATE classes and codes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
const UNAVAILABLE_SQLSTATE = [
  /^08/, // connection exceptions
  /^57P0[123]$/, // shutting down, crashed, not yet accepting connections
  /^53/, // out of disk, memory or connections
  /^58/, // I/O and system errors
  // read_only_sql_transaction: connected to a standby, or to a primary mid-failover; writes come
  // back once the pool reaches the new primary
  /^25006$/,
  // A connection refused at login (credentials rotated or revoked, the database dropped or being
  // restored): no message is at fault, and each would be dead-lettered in turn.
  /^28/,
  /^3D000$/,
];
const TRANSIENT_SQLSTATE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout behind a lock)
  '25P03', // idle_in_transaction_session_timeout
  '23P01', // exclusion_violation: a concurrent writer took the unit; fresh data decides
]);
const UNAVAILABLE_SYSCALL = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * Failures of a connect that no message causes, only for `connect` (the same codes from anything
 * else are not the database's): through a Unix socket (how `npm start`, the tests and the bench
 * reach their Postgres) a stopped server has removed its socket file (ENOENT) or its listen
 * backlog is full (EAGAIN); and the host may be out of local ports (EADDRNOTAVAIL) or file
 * descriptors (EMFILE, ENFILE) for a new connection. All pass; none is worth a dead letter.
 */
const UNAVAILABLE_ON_CONNECT = new Set(['ENOENT', 'EAGAIN', 'EADDRNOTAVAIL', 'EMFILE', 'ENFILE']);
/** What pg, pg-pool and TypeORM say when a connection is gone or cannot be had. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Cannot use a pool after calling end|Connection ended|the database system is (starting up|shutting down|in recovery)|terminating connection/i;

/**
 * TypeORM's words for a transaction whose connection was dropped between two statements (a
 * backend terminated by an operator, a server restart): pg reports the loss as an event, TypeORM
 * releases the connection then, and the transaction's next statement meets these instead of a
 * driver error. Application code never runs a statement after its own transaction ended.
 */
const RELEASED_CONNECTION = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  transient?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** The error and what it wraps (TypeORM's driverError, `cause`), outermost first. */
function chain(error: unknown): ErrorFields[] {
  const seen: ErrorFields[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && seen.length < 5 && !seen.includes(current)) {
    const fields = current as ErrorFields;
    seen.push(fields);
    current = fields.driverError ?? fields.cause;
  }
  return seen;
}

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PoisonMessageError) {
    return 'poison';
  }
  const links = chain(error);
  // An error may say itself that trying again later can succeed (units contended right now).
  if (links.some((link) => link.transient === true)) {
    return 'transient';
  }
  if (error instanceof DomainError) {
    return 'rejected';
  }
  for (const link of links) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (
      code &&
      (UNAVAILABLE_SYSCALL.has(code) || UNAVAILABLE_SQLSTATE.some((pattern) => pattern.test(code)))
    ) {
      return 'database-unavailable';
    }
    if (code && link.syscall === 'connect' && UNAVAILABLE_ON_CONNECT.has(code)) {
      return 'database-unavailable';
    }
    if (code && TRANSIENT_SQLSTATE.has(code)) {
      return 'transient';
    }
    if (typeof link.name === 'string' && RELEASED_CONNECTION.has(link.name)) {
      return 'database-unavailable';
    }
    if (typeof link.message === 'string' && UNAVAILABLE_MESSAGE.test(link.message)) {
      return 'database-unavailable';
    }
    if (typeof link.name === 'string' && /^KafkaJS/.test(link.name)) {
      return 'transient';
    }
  }
  return 'unknown';
}

/**
 * `classifyFailure` with a second opinion for what no rule recognises: a driver, pool or ORM may
 * word an outage in ways never met before, so an unknown failure is checked against a fresh
 * connection (the probe). While the database cannot be reached the failure is the outage's,
 * whatever its words: retried until it answers, never dead-lettered, a 503 over HTTP. Concurrent
 * failures share one probe in flight. The probe only runs on failures no rule knows.
 */
export function probingClassifier(probe: () => Promise<void>): (error: unknown) => Promise<FailureKind> {
  let inFlight: Promise<boolean> | undefined;
  const databaseDown = (): Promise<boolean> =>
    (inFlight ??= probe()
      .then(
        () => false,
        () => true,
      )
      .finally(() => {
        inFlight = undefined;
      }));
  return async (error) => {
    const kind = classifyFailure(error);
    if (kind !== 'unknown') {
      return kind;
    }
    return (await databaseDown()) ? 'database-unavailable' : 'unknown';
  };
}
