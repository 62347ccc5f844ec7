/**
 * Application-level transaction boundary. Repositories called inside `run` share one database
 * transaction (and the outbox rows they write commit or roll back with it).
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
