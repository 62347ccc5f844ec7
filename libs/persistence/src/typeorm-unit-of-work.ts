import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '@storage/ddd';
import { AsyncSlot } from '@storage/observability';

const openTransaction = new AsyncSlot<EntityManager>('open transaction');

/** Runs `work` in a transaction, or joins the one already open in this async context. */
export async function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const open = openTransaction.get();
  if (open) {
    return work(open);
  }
  return dataSource.transaction((manager) => openTransaction.run(manager, () => work(manager)));
}

/** The open transaction's manager, or the data source's own (autocommit) one: for reads. */
export function currentManager(dataSource: DataSource): EntityManager {
  return openTransaction.get() ?? dataSource.manager;
}

/**
 * The open unit of work's manager. A write of more than one statement (a row and its events, a
 * lock that must outlive its query) runs inside the use case's unit of work, whose handler shows
 * where it commits; it never opens a transaction of its own. Outside one it is a bug: thrown.
 */
export function transactionManager(what: string): EntityManager {
  const open = openTransaction.get();
  if (!open) {
    throw new Error(
      `${what} must run inside a unit of work (UnitOfWork.run): it writes more than one statement`,
    );
  }
  return open;
}

@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return runInTransaction(this.dataSource, () => work());
  }
}
