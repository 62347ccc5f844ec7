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
  planEachCall,
  sendAhead,
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

/**
 * One of them, locked until the unit of work commits. SKIP LOCKED: concurrent assignments each
 * take a different unit instead of queueing on one.
 * Both claims are planned on every call (planEachCall). Prepared, each connection made a generic
 * plan after its fifth claim and kept it until the assignment table was next analysed; one made
 * in a fresh deployment's first seconds, the table nearly empty, looked for the booking's own
 * assignment by scanning the exclusion constraint's whole index (not the unique index on
 * booking_id) and for overlaps by period alone, and kept doing so as the table grew: 1.0-1.5 ms a
 * claim through a load bench, against 0.5-0.7 ms planned each time (docs/scaling.md).
 */
const CLAIM = planEachCall(
  `SELECT u.id, u.code ${FREE_UNITS} ORDER BY u.code LIMIT 1 FOR UPDATE OF u SKIP LOCKED`,
);

/**
 * The same claim, unless booking $4 already holds an active assignment: then no unit is claimed
 * (or locked). One statement where a look-up and a claim took two.
 */
const CLAIM_UNLESS_HELD = planEachCall(`
  SELECT h.held, c.id, c.code
    FROM (SELECT EXISTS (SELECT 1 FROM assignment a
                          WHERE a.booking_id = $4 AND a.status = 'ACTIVE') AS held) h
    LEFT JOIN LATERAL (
      SELECT u.id, u.code ${FREE_UNITS} AND NOT h.held
       ORDER BY u.code LIMIT 1 FOR UPDATE OF u SKIP LOCKED) c ON true`);

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

  lockBooking(bookingId: string): Promise<void> {
    // Sent with the unit of work's next statement (one round trip for both), which runs once the
    // lock is granted; it lasts until the unit of work commits.
    sendAhead('Locking a booking', {
      text: 'SELECT pg_advisory_xact_lock($1, hashtext($2))',
      values: [BOOKING_LOCK_CLASS, bookingId],
    });
    return Promise.resolve();
  }

  async findActiveForUnitEndingAfter(unitId: string, date: string): Promise<Assignment[]> {
    // No row lock here: callers lock each booking first and re-read it (see the lock order).
    const rows = await currentManager(this.dataSource).find(AssignmentOrmEntity, {
      where: { unitId, status: 'ACTIVE', endDate: MoreThan(date) },
      order: { startDate: 'ASC' },
    });
    return rows.map((row) => AssignmentMapper.toDomain(row));
  }

  async claimFreeUnit(
    size: UnitSize,
    period: RentalPeriod,
    options?: { unlessHeldBy?: string },
  ): Promise<FreeUnitSearch> {
    // Its row lock must outlive the query: until the unit of work commits.
    const manager = transactionManager('Claiming a free unit');
    const params = [size, period.startDate, period.endDate];
    let claimed: { id: string; code: string } | undefined;
    if (options?.unlessHeldBy === undefined) {
      [claimed] = await manager.query<{ id: string; code: string }[]>(CLAIM, params);
    } else {
      const [answer] = await manager.query<{ held: boolean; id: string | null; code: string | null }[]>(
        CLAIM_UNLESS_HELD,
        [...params, options.unlessHeldBy],
      );
      if (answer.held) {
        return { kind: 'held' };
      }
      claimed = answer.id !== null && answer.code !== null ? { id: answer.id, code: answer.code } : undefined;
    }
    if (claimed) {
      return { kind: 'found', unitId: claimed.id, unitCode: claimed.code };
    }
    const [{ candidates }] = await manager.query<{ candidates: number }[]>(
      `SELECT count(*)::int AS candidates ${FREE_UNITS}`,
      params,
    );
    return candidates > 0 ? { kind: 'contended' } : { kind: 'none' };
  }

  insert(assignment: Assignment): Promise<void> {
    // The exclusion constraint is the last word: an overlapping insert fails (with the unit of
    // work's next statement or its COMMIT, the insert being sent ahead), whatever the application
    // believed; the consumer then retries against fresh data.
    this.outbox.insert(
      AssignmentOrmEntity,
      AssignmentMapper.toOrm(assignment),
      assignment.pullEvents().map(toIntegrationEvent),
    );
    return Promise.resolve();
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
