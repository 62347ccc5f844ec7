import type { RentalPeriod } from '@storage/ddd';
import type { Assignment, AssignmentFailure, UnitSize } from '../../domain';

export type FreeUnitSearch =
  | { kind: 'found'; unitId: string; unitCode: string }
  | { kind: 'none' }
  /** Candidates exist but other transactions hold them right now: try again shortly. */
  | { kind: 'contended' }
  /** The booking named in `unlessHeldBy` already holds an active assignment: nothing claimed. */
  | { kind: 'held' };

/**
 * Lock order, the same in every use case so none can deadlock another: a storage unit's row
 * first, then the booking (`lockBooking`), then that booking's assignment rows. Claims of free
 * units never wait (SKIP LOCKED), so they do not count.
 */
export abstract class AssignmentRepository {
  /**
   * Serializes every change to one booking's assignments until the unit of work commits, so a
   * release or completion that starts while the booking is being moved to another unit sees the
   * move (and the new assignment) instead of the superseded one. Must run inside a unit of work;
   * the lock is granted before the unit of work's next statement runs (it may travel with it).
   */
  abstract lockBooking(bookingId: string): Promise<void>;
  abstract findActiveByBooking(bookingId: string, options?: { lock: boolean }): Promise<Assignment | null>;
  /** Active assignments of a unit still running or in the future on `date` (not locked). */
  abstract findActiveForUnitEndingAfter(unitId: string, date: string): Promise<Assignment[]>;
  /**
   * Picks and locks a free AVAILABLE unit of `size` for `period` (no overlapping active
   * assignment). Must run inside a unit of work; the lock lasts until it commits. With
   * `unlessHeldBy`, first looks whether that booking (locked by the caller) already holds an
   * active assignment, in the same statement, and claims nothing if it does.
   */
  abstract claimFreeUnit(
    size: UnitSize,
    period: RentalPeriod,
    options?: { unlessHeldBy?: string },
  ): Promise<FreeUnitSearch>;
  abstract insert(assignment: Assignment): Promise<void>;
  abstract save(assignment: Assignment): Promise<void>;
  /** Keeps the failure (once per booking) and publishes what it raised (every time). */
  abstract recordFailure(failure: AssignmentFailure): Promise<void>;
  /**
   * ACTIVE assignments created before `before` whose booking was not yet seen kept and that were
   * not asked about since `before`; the least recently asked first.
   */
  abstract findUnreconciledActiveBefore(before: Date, limit: number): Promise<Assignment[]>;
  /** `kept`: booking keeps it, never ask again; `open`: asked now, ask again later. */
  abstract markReconciled(bookingId: string, outcome: 'kept' | 'open'): Promise<void>;
}
