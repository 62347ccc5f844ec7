import { RentalPeriod } from '@storage/ddd';
import {
  Assignment,
  StorageUnit,
  type AssignmentEvent,
  type AssignmentFailure,
  type AssignmentFailureEvent,
  type AssignmentSnapshot,
  type UnitSize,
} from '../../domain';
import { AssignmentRepository, type FreeUnitSearch } from './assignment.repository.port';
import type { InMemoryUnits } from './storage-unit.repository.fake';

/**
 * Assignments as rows, the failures kept, and the events each write carried (the outbox), for
 * handler tests: what the TypeORM repository and its SQL do, without a database. A claim takes the
 * first free unit of the size by code, as the SQL does; units in `heldElsewhere` are locked by
 * concurrent transactions, which a claim skips (SKIP LOCKED). Locks are recorded in the units'
 * `locks`, in order.
 */
export class InMemoryAssignments extends AssignmentRepository {
  readonly rows = new Map<string, AssignmentSnapshot>();
  readonly failures = new Map<string, { size: UnitSize; reason: string }>();
  readonly outbox: (AssignmentEvent | AssignmentFailureEvent)[] = [];
  readonly heldElsewhere = new Set<string>();
  /** Per booking: kept (never asked about again), or when it was last asked about and left open. */
  readonly reconciled = new Map<string, 'kept' | Date>();
  /** The database's clock, which stamps when a row was asked about. */
  clock = () => new Date();
  writes = 0;

  constructor(private readonly units: InMemoryUnits) {
    super();
  }

  /** An active assignment made earlier, its event long published; returns its id. */
  hold(bookingId: string, unitId: string, startDate: string, endDate: string): string {
    const unit = this.units.rows.get(unitId);
    const assignment = Assignment.assign({
      bookingId,
      unitId,
      unitCode: unit?.code ?? unitId,
      size: unit?.size ?? 'S',
      period: RentalPeriod.of(startDate, endDate),
    });
    assignment.pullEvents();
    this.rows.set(assignment.snapshot().id, assignment.snapshot());
    return assignment.snapshot().id;
  }

  lockBooking(bookingId: string) {
    this.units.locks.push(`booking ${bookingId}`);
    return Promise.resolve();
  }
  findActiveByBooking(bookingId: string, options?: { lock: boolean }) {
    const row = this.active().find((assignment) => assignment.bookingId === bookingId);
    if (row && options?.lock) {
      this.units.locks.push(`assignment ${row.id}`);
    }
    return Promise.resolve(row ? Assignment.restore(row) : null);
  }
  findActiveForUnitEndingAfter(unitId: string, date: string) {
    return Promise.resolve(
      this.active()
        .filter((row) => row.unitId === unitId && row.endDate > date)
        .sort((a, b) => a.startDate.localeCompare(b.startDate))
        .map((row) => Assignment.restore(row)),
    );
  }
  claimFreeUnit(size: UnitSize, period: RentalPeriod, options?: { unlessHeldBy?: string }) {
    const held = this.active().some((row) => row.bookingId === options?.unlessHeldBy);
    if (held) {
      return Promise.resolve<FreeUnitSearch>({ kind: 'held' });
    }
    const free = [...this.units.rows.values()]
      .filter((unit) => unit.size === size && StorageUnit.restore(unit).inServiceFrom(period.startDate))
      .filter((unit) =>
        this.active().every(
          (row) =>
            row.unitId !== unit.id || !(row.startDate < period.endDate && period.startDate < row.endDate),
        ),
      )
      .sort((a, b) => a.code.localeCompare(b.code));
    const claimed = free.find((unit) => !this.heldElsewhere.has(unit.id));
    if (claimed) {
      this.units.locks.push(`unit ${claimed.id}`);
      return Promise.resolve<FreeUnitSearch>({ kind: 'found', unitId: claimed.id, unitCode: claimed.code });
    }
    return Promise.resolve<FreeUnitSearch>({ kind: free.length > 0 ? 'contended' : 'none' });
  }
  insert(assignment: Assignment) {
    this.write(assignment);
    return Promise.resolve();
  }
  save(assignment: Assignment) {
    this.write(assignment);
    return Promise.resolve();
  }
  recordFailure(failure: AssignmentFailure) {
    if (!this.failures.has(failure.bookingId)) {
      this.failures.set(failure.bookingId, { size: failure.size, reason: failure.reason });
    }
    this.outbox.push(...failure.pullEvents());
    return Promise.resolve();
  }
  findUnreconciledActiveBefore(before: Date, limit: number) {
    const askedAt = (row: AssignmentSnapshot) => this.reconciled.get(row.bookingId) ?? row.createdAt;
    return Promise.resolve(
      this.active()
        .filter((row) => row.createdAt < before)
        .filter((row) => {
          const asked = askedAt(row);
          return asked !== 'kept' && asked < before;
        })
        .sort((a, b) => Number(askedAt(a)) - Number(askedAt(b)))
        .slice(0, limit)
        .map((row) => Assignment.restore(row)),
    );
  }
  markReconciled(bookingId: string, outcome: 'kept' | 'open') {
    this.reconciled.set(bookingId, outcome === 'kept' ? 'kept' : this.clock());
    return Promise.resolve();
  }

  /** The active assignments, oldest first. */
  active(): AssignmentSnapshot[] {
    return [...this.rows.values()].filter((row) => row.status === 'ACTIVE');
  }

  private write(assignment: Assignment): void {
    this.writes += 1;
    const row = assignment.snapshot();
    this.rows.set(row.id, row);
    this.outbox.push(...assignment.pullEvents());
  }
}
