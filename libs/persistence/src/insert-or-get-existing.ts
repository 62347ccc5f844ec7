import type { DataSource, EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import { insertRow } from './row-statements';
import { currentManager, transactionManager } from './typeorm-unit-of-work';

/**
 * Inserts a new aggregate's row unless a row with the same unique key exists (a repeated request,
 * a racing one), and with it the events it raised. Returns the row that holds: the new one, or
 * the one already there. A row without events is a single statement, atomic by itself, so it needs
 * no transaction (two round trips fewer on the hot path of a booking or a charge); a row with
 * events is written in the caller's unit of work.
 */
export async function insertOrGetExisting<T extends ObjectLiteral>(options: {
  dataSource: DataSource;
  target: EntityTarget<T>;
  row: T;
  /** How to find the row that won, by the unique key the insert conflicted on. */
  existing: FindOptionsWhere<T>;
  /** Appends the aggregate's events (already pulled) in the insert's transaction. */
  events: { count: number; append: (manager: EntityManager) => Promise<unknown> };
}): Promise<{ row: T; inserted: boolean }> {
  const write = async (manager: EntityManager) => {
    // ON CONFLICT keeps a surrounding transaction usable, unlike catching a unique violation.
    const written = await manager.query<unknown[]>(
      ...insertRow(manager, options.target, options.row, { orIgnore: true }),
    );
    if (written.length === 0) {
      // DO NOTHING waited for the conflicting row's transaction: that row is committed and visible.
      return { row: await manager.findOneByOrFail(options.target, options.existing), inserted: false };
    }
    await options.events.append(manager);
    return { row: options.row, inserted: true };
  };
  return write(
    options.events.count === 0
      ? currentManager(options.dataSource)
      : transactionManager('Inserting a row with its events'),
  );
}
