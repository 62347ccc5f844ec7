import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MoreThan, type DataSource } from 'typeorm';
import { UNIT_SIZES } from '@storage/contracts';
import type { RentalPeriod } from '@storage/ddd';
import { Outbox } from '@storage/messaging';
import {
  currentManager,
  findUnreconciled,
  lockedIf,
  markReconcileOutcome,
  runInTransaction,
  updateRow,
} from '@storage/persistence';
import type { Assignment, UnitSize } from '../../../domain';
import {
  AssignmentRepository,
  type FreeUnitSearch,
  type SizeAvailability,
} from '../../../application/ports/assignment.repository.port';
import { AssignmentFailureOrmEntity } from './assignment-failure.orm-entity';
import { AssignmentOrmEntity } from './assignment.orm-entity';
import { toIntegrationEvent } from './storage-events.mapper';
import { AssignmentMapper } from './storage.mappers';

/**
 * A unit free for [start, end): in service from the start day (AVAILABLE, or its maintenance
 * window over by then: StorageUnit.inServiceFrom) and no active assignment overlapping the period.
 */
const freeFor = (start: string, end: string) => `
  (u.status = 'AVAILABLE' OR (u.status = 'MAINTENANCE' AND u.maintenance_until <= ${start}::date))
  AND NOT EXISTS (
    SELECT 1 FROM assignment a
    WHERE a.unit_id = u.id AND a.status = 'ACTIVE' AND a.period && daterange(${start}::date, ${end}::date, '[)')
  )`;

/** Units of the size $1 free for [$2, $3). */
const FREE_UNITS = `
  FROM storage_unit u
  WHERE u.size = $1 AND ${freeFor('$2', '$3')}`;

/** First key of the two-key advisory locks taken per booking (the second is its hash). */
const BOOKING_LOCK_CLASS = 727_010;

@Injectable()
export class AssignmentTypeormRepository extends AssignmentRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async findActiveByBooking(bookingId: string, options?: { lock: boolean }): Promise<Assignment | null> {
    const row = await currentManager(this.dataSource).findOne(AssignmentOrmEntity, {
      where: { bookingId, status: 'ACTIVE' },
      ...lockedIf(options?.lock),
    });
    return row ? AssignmentMapper.toDomain(row) : null;
  }

  async lockBooking(bookingId: string): Promise<void> {
    const manager = currentManager(this.dataSource);
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('lockBooking must run inside a unit of work: the lock lasts until it commits');
    }
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BOOKING_LOCK_CLASS, bookingId]);
  }

  async findActiveForUnitEndingAfter(unitId: string, date: string): Promise<Assignment[]> {
    // No row lock here: callers lock each booking first and re-read it (see the lock order).
    const rows = await currentManager(this.dataSource).find(AssignmentOrmEntity, {
      where: { unitId, status: 'ACTIVE', endDate: MoreThan(date) },
      order: { startDate: 'ASC' },
    });
    return rows.map((row) => AssignmentMapper.toDomain(row));
  }

  async claimFreeUnit(size: UnitSize, period: RentalPeriod): Promise<FreeUnitSearch> {
    const manager = currentManager(this.dataSource);
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('claimFreeUnit must run inside a unit of work: its row lock must outlive the query');
    }
    const params = [size, period.startDate, period.endDate];
    // SKIP LOCKED: concurrent assignments each take a different unit instead of queueing on one.
    const [claimed] = await manager.query<{ id: string; code: string }[]>(
      `SELECT u.id, u.code ${FREE_UNITS} ORDER BY u.code LIMIT 1 FOR UPDATE OF u SKIP LOCKED`,
      params,
    );
    if (claimed) {
      return { kind: 'found', unitId: claimed.id, unitCode: claimed.code };
    }
    const [{ candidates }] = await manager.query<{ candidates: number }[]>(
      `SELECT count(*)::int AS candidates ${FREE_UNITS}`,
      params,
    );
    return candidates > 0 ? { kind: 'contended' } : { kind: 'none' };
  }

  async insert(assignment: Assignment): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      // The exclusion constraint is the last word: an overlapping insert fails here, whatever
      // the application believed; the consumer then retries against fresh data.
      await manager.insert(AssignmentOrmEntity, AssignmentMapper.toOrm(assignment));
      await this.appendEvents(assignment);
    });
  }

  async save(assignment: Assignment): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      await updateRow(manager, AssignmentOrmEntity, AssignmentMapper.toOrm(assignment));
      await this.appendEvents(assignment);
    });
  }

  async recordFailure(
    bookingId: string,
    size: UnitSize,
    reason: string,
    options?: { announceAgain: boolean },
  ): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(AssignmentFailureOrmEntity)
        .values({ bookingId, size, reason, failedAt: new Date() })
        .orIgnore()
        .returning('booking_id')
        .execute();
      if ((result.raw as unknown[]).length > 0 || options?.announceAgain) {
        await this.outbox.append(
          manager,
          toIntegrationEvent({ type: 'StorageAssignmentFailed', bookingId, size, reason }),
        );
      }
    });
  }

  async findUnreconciledActiveBefore(before: Date, limit: number): Promise<Assignment[]> {
    const rows = await findUnreconciled(
      currentManager(this.dataSource),
      AssignmentOrmEntity,
      "r.status = 'ACTIVE'",
      before,
      limit,
    );
    return rows.map((row) => AssignmentMapper.toDomain(row));
  }

  async markReconciled(bookingId: string, outcome: 'kept' | 'open'): Promise<void> {
    await markReconcileOutcome(
      currentManager(this.dataSource),
      AssignmentOrmEntity,
      { bookingId, status: 'ACTIVE' },
      outcome,
    );
  }

  async availability(period: RentalPeriod, size?: UnitSize): Promise<SizeAvailability[]> {
    const rows = await currentManager(this.dataSource).query<
      { size: UnitSize; total_units: number; free_units: number; daily_rate: number | null }[]
    >(
      `SELECT u.size,
              count(*) FILTER (WHERE u.status <> 'RETIRED')::int AS total_units,
              count(*) FILTER (WHERE ${freeFor('$1', '$2')})::int AS free_units,
              max(u.daily_rate) FILTER (WHERE u.status <> 'RETIRED') AS daily_rate
       FROM storage_unit u
       WHERE $3::varchar IS NULL OR u.size = $3
       GROUP BY u.size`,
      [period.startDate, period.endDate, size ?? null],
    );
    const bySize = new Map(rows.map((row) => [row.size, row]));
    return (size ? [size] : [...UNIT_SIZES]).map((wanted) => {
      const row = bySize.get(wanted);
      return {
        size: wanted,
        totalUnits: row?.total_units ?? 0,
        freeUnits: row?.free_units ?? 0,
        dailyRate: row?.daily_rate ?? null,
      };
    });
  }

  private async appendEvents(assignment: Assignment): Promise<void> {
    await this.outbox.appendAll(
      currentManager(this.dataSource),
      assignment.pullEvents().map(toIntegrationEvent),
    );
  }
}
