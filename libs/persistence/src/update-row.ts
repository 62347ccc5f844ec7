import type { ObjectLiteral } from 'typeorm';

/** An aggregate written back that has no row: it was never inserted, or someone deleted it. */
export class RowNotFoundError extends Error {
  constructor(table: string, id: ObjectLiteral) {
    super(`No ${table} row ${JSON.stringify(id)} to update`);
    this.name = 'RowNotFoundError';
  }
}
