import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';

/**
 * The bookkeeping of a reconciliation that asks another service about rows of a table with
 * `reconciled_at` (settled: never ask again) and `reconcile_checked_at` (asked, still open) and
 * `created_at` columns. Rows asked and left open go to the back of the queue, so undecidable ones
 * never starve the others.
 */
export function findUnreconciled<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  condition: string,
  before: Date,
  limit: number,
): Promise<T[]> {
  return manager
    .createQueryBuilder(entity, 'r')
    .where(
      `${condition} AND r.reconciled_at IS NULL AND r.created_at < :before
       AND (r.reconcile_checked_at IS NULL OR r.reconcile_checked_at < :before)`,
      { before },
    )
    .addSelect('COALESCE(r.reconcile_checked_at, r.created_at)', 'reconcile_order')
    .orderBy('reconcile_order', 'ASC')
    .limit(limit)
    .getMany();
}

/** `kept`: settled, never asked again; `open`: asked now, asked again after the wait. */
export async function markReconcileOutcome<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  where: FindOptionsWhere<T>,
  outcome: 'kept' | 'open',
): Promise<void> {
  const column = outcome === 'kept' ? 'reconciledAt' : 'reconcileCheckedAt';
  await manager.update(entity, where, { [column]: new Date() } as never);
}
