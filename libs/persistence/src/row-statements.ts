import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';

/** An aggregate written back that has no row: it was never inserted, or someone deleted it. */
export class RowNotFoundError extends Error {
  constructor(table: string, id: ObjectLiteral) {
    super(`No ${table} row ${JSON.stringify(id)} to update`);
    this.name = 'RowNotFoundError';
  }
}

/** A statement's text and its parameters, as `manager.query` takes them. */
export type RowStatement = [text: string, parameters: unknown[]];

/** Conditions on a row's columns by property: plain values, null meaning IS NULL. */
export type RowConditions<T> = { [K in keyof T]?: T[K] | null };

/**
 * The INSERT or the UPDATE of one entity row, as TypeORM's query builder would write it, without
 * the builder: the hot writes (a booking's, a payment's, an assignment's) built one per call, and
 * building it was 5-8 % of booking's and payment's CPU under load. The text depends only on the
 * statement's shape (the table, the columns written, the conditions and which of them are NULL),
 * so it is made once per shape and kept; the parameters are prepared on every call as the builder
 * prepares them (the driver's conversion, which applies the column's transformer, e.g. a date
 * column's value to 'YYYY-MM-DD').
 */
const texts = new Map<string, string>();

function textOf(key: string, make: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = make();
    texts.set(key, text);
  }
  return text;
}

/** A value as the builder sends it for the column: the driver applies the column's transformer. */
function prepared(manager: EntityManager, column: ColumnMetadata, value: unknown): unknown {
  return manager.connection.driver.preparePersistentValue(value, column);
}

/**
 * The entity's metadata, refused when the builder would write columns of its own that these
 * statements do not (a version to increment, an update date to set): better an error at the
 * first write than rows that differ from the builder's.
 */
function metadataOf<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
): EntityMetadata {
  const metadata = manager.connection.getMetadata(target);
  const maintained = metadata.versionColumn ?? metadata.updateDateColumn;
  if (maintained) {
    throw new Error(
      `Row statements do not maintain ${metadata.name}.${maintained.propertyName}: use the query builder`,
    );
  }
  return metadata;
}

/** An identifier as the driver quotes it. */
function quoted(manager: EntityManager, name: string): string {
  return manager.connection.driver.escape(name);
}

function tableOf(manager: EntityManager, metadata: EntityMetadata): string {
  return metadata.tablePath
    .split('.')
    .map((part) => quoted(manager, part))
    .join('.');
}

/**
 * `INSERT ... RETURNING 1` of the row (ON CONFLICT DO NOTHING with `orIgnore`: then no row comes
 * back when it conflicted). A column the row leaves undefined gets its DEFAULT, as with the builder.
 */
export function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: T,
  options: { orIgnore?: boolean } = {},
): RowStatement {
  const metadata = metadataOf(manager, target);
  const columns = metadata.columns.filter((column) => column.isInsert && !column.isVirtual);
  const parameters: unknown[] = [];
  let shape = '';
  for (const column of columns) {
    const value: unknown = column.getEntityValue(row);
    if (value === undefined) {
      shape += 'D';
    } else {
      shape += 'P';
      parameters.push(prepared(manager, column, value));
    }
  }
  const text = textOf(`insert ${metadata.tablePath} ${options.orIgnore === true} ${shape}`, () => {
    let next = 0;
    const values = [...shape].map((kind) => (kind === 'D' ? 'DEFAULT' : `$${++next}`));
    return (
      `INSERT INTO ${tableOf(manager, metadata)} (${columns.map((column) => quoted(manager, column.databaseName)).join(', ')}) ` +
      `VALUES (${values.join(', ')})${options.orIgnore ? ' ON CONFLICT DO NOTHING' : ''} RETURNING 1`
    );
  });
  return [text, parameters];
}

/**
 * `UPDATE ... RETURNING 1` of the row by its primary key, while it still holds `unchanged` (plain
 * values; null means IS NULL): every column but the key that the row defines is written (like
 * save(), undefined is skipped).
 */
export function updateRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: T,
  unchanged: RowConditions<T>,
): RowStatement {
  const metadata = metadataOf(manager, target);
  const parameters: unknown[] = [];
  const set: ColumnMetadata[] = [];
  for (const column of metadata.columns) {
    const value: unknown = column.getEntityValue(row);
    if (!column.isPrimary && column.isUpdate && !column.isVirtual && value !== undefined) {
      set.push(column);
      parameters.push(prepared(manager, column, value));
    }
  }
  if (set.length === 0) {
    throw new Error(`updateRow: the ${metadata.name} row defines no column to write`);
  }
  // Conditions: the key, then `unchanged`. Values are sent as the builder's WHERE sends them:
  // through the column's transformer only (no driver conversion).
  const conditions: { column: ColumnMetadata; isNull: boolean }[] = [];
  const condition = (column: ColumnMetadata, value: unknown) => {
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      throw new Error(`updateRow: the condition on ${column.propertyName} must be a plain value`);
    }
    conditions.push({ column, isNull: value === null });
    if (value !== null) {
      parameters.push(
        column.transformer
          ? (ApplyValueTransformers.transformTo(column.transformer, value) as unknown)
          : value,
      );
    }
  };
  for (const column of metadata.primaryColumns) {
    condition(column, column.getEntityValue(row));
  }
  for (const [property, value] of Object.entries(unchanged)) {
    if (value === undefined) {
      // As in the builder's WHERE: an undefined condition is no condition.
      continue;
    }
    const column = metadata.findColumnWithPropertyPath(property);
    if (!column) {
      throw new Error(`updateRow: ${metadata.name} has no column ${property}`);
    }
    condition(column, value);
  }
  const shape = `${set.map((column) => column.propertyPath).join(',')} ${conditions
    .map(({ column, isNull }) => `${column.propertyPath}${isNull ? ' null' : ''}`)
    .join(',')}`;
  const text = textOf(`update ${metadata.tablePath} ${shape}`, () => {
    let next = 0;
    const assignments = set.map((column) => `${quoted(manager, column.databaseName)} = $${++next}`);
    const predicates = conditions.map(({ column, isNull }) =>
      isNull
        ? `${quoted(manager, column.databaseName)} IS NULL`
        : `${quoted(manager, column.databaseName)} = $${++next}`,
    );
    return (
      `UPDATE ${tableOf(manager, metadata)} SET ${assignments.join(', ')} ` +
      `WHERE ${predicates.join(' AND ')} RETURNING 1`
    );
  });
  return [text, parameters];
}
