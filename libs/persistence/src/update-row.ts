import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** An aggregate written back that has no row: it was never inserted, or someone deleted it. */
export class RowNotFoundError extends Error {
  constructor(table: string, id: ObjectLiteral) {
    super(`No ${table} row ${JSON.stringify(id)} to update`);
    this.name = 'RowNotFoundError';
  }
}

/**
 * Writes a loaded aggregate's row back with one UPDATE by primary key. TypeORM's save() first
 * SELECTs the row to choose between INSERT and UPDATE: a round trip wasted on every state change
 * when the use case has just read (and locked) that row itself. Updating nothing is an error,
 * never a silent upsert.
 */
export async function updateRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: T,
): Promise<void> {
  const metadata = manager.connection.getMetadata(target);
  const id = metadata.getEntityIdMap(row);
  if (!id) {
    throw new RowNotFoundError(metadata.tableName, {});
  }
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set(columnValues(manager, target, row))
    .where(id)
    .execute();
  if (result.affected !== 1) {
    throw new RowNotFoundError(metadata.tableName, id);
  }
}

/** The row's values to write back: every column but the key (like save(), undefined is skipped). */
export function columnValues<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: T,
): ObjectLiteral {
  const values: ObjectLiteral = {};
  for (const column of manager.connection.getMetadata(target).columns) {
    const value: unknown = column.getEntityValue(row);
    if (!column.isPrimary && value !== undefined) {
      values[column.propertyName] = value;
    }
  }
  return values;
}
