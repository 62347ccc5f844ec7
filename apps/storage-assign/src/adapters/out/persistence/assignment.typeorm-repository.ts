import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MoreThan, type DataSource } from 'typeorm';
import type { RentalPeriod } from '@storage/ddd';
import { Outbox } from '@storage/messaging';
import {
  currentManager,
  findUnreconciled,
  lockedIf,
  markReconcileOutcome,
  transactionManager,
} from '@storage/persistence';
import type { Assignment, AssignmentFailure, UnitSize } from '../../../domain';
import {
  AssignmentRepository,
  type FreeUnitSearch,
} from '../../../application/ports/assignment.repository.port';
import { AssignmentFailureOrmEntity } from './assignment-failure.orm-entity';
import { AssignmentOrmEntity } from './assignment.orm-entity';
import { freeFor } from './free-unit.sql';
import { toIntegrationEvent } from './storage-events.mapper';
import { AssignmentMapper } from './storage.mappers';

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
    // The lock lasts until the unit of work commits.
    await transactionManager('Locking a booking').query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      BOOKING_LOCK_CLASS,
      bookingId,
    ]);
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
    // Its row lock must outlive the query: until the unit of work commits.
    const manager = transactionManager('Claiming a free unit');
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
    // The exclusion constraint is the last word: an overlapping insert fails here, whatever the
    // application believed; the consumer then retries against fresh data.
    await this.outbox.insert(
      transactionManager('Inserting an assignment'),
      AssignmentOrmEntity,
      AssignmentMapper.toOrm(assignment),
      assignment.pullEvents().map(toIntegrationEvent),
    );
  }

  async save(assignment: Assignment): Promise<void> {
    await this.outbox.update(
      transactionManager('Saving an assignment'),
      AssignmentOrmEntity,
      AssignmentMapper.toOrm(assignment),
      assignment.pullEvents().map(toIntegrationEvent),
    );
  }

  async recordFailure(failure: AssignmentFailure): Promise<void> {
    const { bookingId, size, reason, failedAt } = failure;
    const manager = transactionManager('Recording an assignment failure');
    // The first failure of a booking is the one kept; a repeat only announces itself again.
    await manager
      .createQueryBuilder()
      .insert()
      .into(AssignmentFailureOrmEntity)
      .values({ bookingId, size, reason, failedAt })
      .orIgnore()
      .execute();
    await this.outbox.appendAll(manager, failure.pullEvents().map(toIntegrationEvent));
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
}
