import type { RentalPeriod } from '@storage/ddd';
import type { Assignment, UnitSize } from '../../domain';

export type FreeUnitSearch =
  | { kind: 'found'; unitId: string; unitCode: string }
  | { kind: 'none' }
  /** Candidates exist but other transactions hold them right now: try again shortly. */
  | { kind: 'contended' };

export interface SizeAvailability {
  size: UnitSize;
  totalUnits: number;
  freeUnits: number;
  /** The size's rate: the highest daily rate among its units in service (never undercharges). */
  dailyRate: number | null;
}

/**
 * Lock order, the same in every use case so none can deadlock another: a storage unit's row
 * first, then the booking (`lockBooking`), then that booking's assignment rows. Claims of free
 * units never wait (SKIP LOCKED), so they do not count.
 */
export abstract class AssignmentRepository {
  /**
   * Serializes every change to one booking's assignments until the unit of work commits, so a
   * release or completion that starts while the booking is being moved to another unit sees the
   * move (and the new assignment) instead of the superseded one. Must run inside a unit of work.
   */
  abstract lockBooking(bookingId: string): Promise<void>;
  abstract findActiveByBooking(bookingId: string, options?: { lock: boolean }): Promise<Assignment | null>;
  /** Active assignments of a unit still running or in the future on `date` (not locked). */
  abstract findActiveForUnitEndingAfter(unitId: string, date: string): Promise<Assignment[]>;
  /**
   * Picks and locks a free AVAILABLE unit of `size` for `period` (no overlapping active
   * assignment). Must run inside a unit of work; the lock lasts until it commits.
   */
  abstract claimFreeUnit(size: UnitSize, period: RentalPeriod): Promise<FreeUnitSearch>;
  abstract insert(assignment: Assignment): Promise<void>;
  abstract save(assignment: Assignment): Promise<void>;
  /**
   * Records that no unit could be found and publishes StorageAssignmentFailed, once per booking;
   * with `announceAgain` a repeat publishes the failure again (a re-driven booking).
   */
  abstract recordFailure(
    bookingId: string,
    size: UnitSize,
    reason: string,
    options?: { announceAgain: boolean },
  ): Promise<void>;
  /**
   * ACTIVE assignments created before `before` whose booking was not yet seen kept and that were
   * not asked about since `before`; the least recently asked first.
   */
  abstract findUnreconciledActiveBefore(before: Date, limit: number): Promise<Assignment[]>;
  /** `kept`: booking keeps it, never ask again; `open`: asked now, ask again later. */
  abstract markReconciled(bookingId: string, outcome: 'kept' | 'open'): Promise<void>;
  abstract availability(period: RentalPeriod, size?: UnitSize): Promise<SizeAvailability[]>;
}
