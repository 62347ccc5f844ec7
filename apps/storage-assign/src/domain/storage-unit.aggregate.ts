import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@storage/ddd';
import { IllegalUnitTransitionError } from './storage.errors';

export type UnitSize = 'S' | 'M' | 'L';
export type UnitStatus = 'AVAILABLE' | 'MAINTENANCE' | 'INSPECTION' | 'RETIRED';

export interface StorageUnitSnapshot {
  id: string;
  code: string;
  size: UnitSize;
  dailyRate: number;
  status: UnitStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type StorageUnitEvent =
  | { type: 'StorageUnitRegistered'; unit: StorageUnitSnapshot }
  | { type: 'StorageUnitChanged'; unit: StorageUnitSnapshot };

/**
 * A physical unit. Only AVAILABLE units receive new assignments; MAINTENANCE and INSPECTION
 * (after a check-out, until staff have looked at it) take it out of rotation for a while;
 * RETIRED is final.
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
    if (to === this.state.status) {
      return false;
    }
    if (!ALLOWED[this.state.status].includes(to)) {
      throw new IllegalUnitTransitionError(this.state.id, this.state.status, to);
    }
    this.state = { ...this.state, status: to, updatedAt: now };
    this.raise({ type: 'StorageUnitChanged', unit: this.snapshot() });
    return true;
  }

  /** A rental ended: the unit waits for inspection, unless staff already took it out of service. */
  awaitInspection(now = new Date()): boolean {
    return this.state.status === 'AVAILABLE' ? this.changeStatus('INSPECTION', now) : false;
  }

  snapshot(): StorageUnitSnapshot {
    return { ...this.state };
  }
}
