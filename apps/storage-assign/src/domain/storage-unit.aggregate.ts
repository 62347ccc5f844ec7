import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@storage/ddd';
import { IllegalUnitTransitionError, InvalidMaintenanceWindowError } from './storage.errors';

export type UnitSize = 'S' | 'M' | 'L';
export type UnitStatus = 'AVAILABLE' | 'MAINTENANCE' | 'INSPECTION' | 'RETIRED';

export interface StorageUnitSnapshot {
  id: string;
  code: string;
  size: UnitSize;
  dailyRate: number;
  status: UnitStatus;
  /**
   * End (exclusive) of a maintenance window: from that day on the unit takes bookings again.
   * Null while AVAILABLE, and for open-ended maintenance or inspection (until staff decide).
   */
  maintenanceUntil: string | null;
  /**
   * 1 when registered, one more with every change announced: the order of the unit's states for
   * whoever keeps a copy of it (booking's catalogue), whatever order its events reach them in.
   */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type StorageUnitEvent =
  | { type: 'StorageUnitRegistered'; unit: StorageUnitSnapshot }
  | { type: 'StorageUnitChanged'; unit: StorageUnitSnapshot };

/**
 * A physical unit. AVAILABLE units receive new assignments; MAINTENANCE takes a unit out of
 * rotation, open-ended or for a window (bookings that start on or after the window's end still get
 * it); INSPECTION (after a check-out) lasts until staff have looked at it, since nobody can know
 * when that is done; RETIRED is final.
 */
const ALLOWED: Record<UnitStatus, UnitStatus[]> = {
  AVAILABLE: ['MAINTENANCE', 'INSPECTION', 'RETIRED'],
  MAINTENANCE: ['AVAILABLE', 'RETIRED'],
  INSPECTION: ['AVAILABLE', 'MAINTENANCE', 'RETIRED'],
  RETIRED: [],
};

export class StorageUnit extends AggregateRoot<StorageUnitEvent> {
  private constructor(private state: StorageUnitSnapshot) {
    super();
  }

  static register(input: { code: string; size: UnitSize; dailyRate: number }, now = new Date()): StorageUnit {
    const unit = new StorageUnit({
      id: randomUUID(),
      ...input,
      status: 'AVAILABLE',
      maintenanceUntil: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    unit.raise({ type: 'StorageUnitRegistered', unit: unit.snapshot() });
    return unit;
  }

  static restore(snapshot: StorageUnitSnapshot): StorageUnit {
    return new StorageUnit({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }
  get code(): string {
    return this.state.code;
  }
  get size(): UnitSize {
    return this.state.size;
  }
  get status(): UnitStatus {
    return this.state.status;
  }

  /** Returns false (and raises nothing) when the unit is already in that status. */
  changeStatus(to: UnitStatus, now = new Date()): boolean {
    if (to === this.state.status && this.state.maintenanceUntil === null) {
      return false;
    }
    if (to !== this.state.status && !ALLOWED[this.state.status].includes(to)) {
      throw new IllegalUnitTransitionError(this.state.id, this.state.status, to);
    }
    return this.announceChange(to, null, now);
  }

  /**
   * Out of rotation until `until` (exclusive; null: until staff put it back). Setting another
   * window on a unit already under maintenance moves the window. Returns false when nothing
   * changes.
   */
  putUnderMaintenance(until: string | null, today: string, now = new Date()): boolean {
    if (until !== null && until <= today) {
      throw new InvalidMaintenanceWindowError(this.state.id, until, today);
    }
    if (this.state.status === 'MAINTENANCE' && this.state.maintenanceUntil === until) {
      return false;
    }
    if (this.state.status !== 'MAINTENANCE' && !ALLOWED[this.state.status].includes('MAINTENANCE')) {
      throw new IllegalUnitTransitionError(this.state.id, this.state.status, 'MAINTENANCE');
    }
    return this.announceChange('MAINTENANCE', until, now);
  }

  /** Whether a rental starting on `startDate` may get this unit (the SQL of free units says the same). */
  inServiceFrom(startDate: string): boolean {
    return (
      this.state.status === 'AVAILABLE' ||
      (this.state.status === 'MAINTENANCE' &&
        this.state.maintenanceUntil !== null &&
        this.state.maintenanceUntil <= startDate)
    );
  }

  /** A rental ended: the unit waits for inspection, unless staff already took it out of service. */
  awaitInspection(now = new Date()): boolean {
    return this.state.status === 'AVAILABLE' ? this.changeStatus('INSPECTION', now) : false;
  }

  /** Every change is announced, and counted: the version is one more with each. */
  private announceChange(status: UnitStatus, maintenanceUntil: string | null, now: Date): true {
    this.state = { ...this.state, status, maintenanceUntil, version: this.state.version + 1, updatedAt: now };
    this.raise({ type: 'StorageUnitChanged', unit: this.snapshot() });
    return true;
  }

  snapshot(): StorageUnitSnapshot {
    return { ...this.state };
  }
}
