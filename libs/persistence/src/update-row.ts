import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** An aggregate written back that has no row: it was never inserted, or someone deleted it. */
export class RowNotFoundError extends Error {
  constructor(table: string, id: ObjectLiteral) {
    super(`No ${table} row ${JSON.stringify(id)} to update`);
    this.name = 'RowNotFoundError';
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
