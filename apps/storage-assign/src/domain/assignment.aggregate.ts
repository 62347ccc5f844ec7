import { randomUUID } from 'node:crypto';
import { AggregateRoot, type RentalPeriod } from '@storage/ddd';
import type { UnitSize } from './storage-unit.aggregate';

export type AssignmentStatus = 'ACTIVE' | 'RELEASED' | 'COMPLETED';

export interface AssignmentSnapshot {
  id: string;
  bookingId: string;
  unitId: string;
  unitCode: string;
  size: UnitSize;
  startDate: string;
  endDate: string;
  status: AssignmentStatus;
  releaseReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type AssignmentEvent =
  | { type: 'StorageAssigned'; assignment: AssignmentSnapshot; reassigned: boolean }
  | { type: 'StorageReleased'; assignment: AssignmentSnapshot }
  | { type: 'StorageAssignmentRevoked'; assignment: AssignmentSnapshot };

/**
 * One unit held for one booking's period. While ACTIVE, no other active assignment of the same
 * unit may overlap it: the database enforces that with an exclusion constraint, so even two
 * replicas racing for the last unit cannot both win.
 */
export class Assignment extends AggregateRoot<AssignmentEvent> {
  private constructor(private state: AssignmentSnapshot) {
    super();
  }

  static assign(
    input: { bookingId: string; unitId: string; unitCode: string; size: UnitSize; period: RentalPeriod },
    options: { reassigned: boolean } = { reassigned: false },
    now = new Date(),
  ): Assignment {
    const assignment = new Assignment({
      id: randomUUID(),
      bookingId: input.bookingId,
      unitId: input.unitId,
      unitCode: input.unitCode,
      size: input.size,
      startDate: input.period.startDate,
      endDate: input.period.endDate,
      status: 'ACTIVE',
      releaseReason: null,
      createdAt: now,
      updatedAt: now,
    });
    assignment.raise({
      type: 'StorageAssigned',
      assignment: assignment.snapshot(),
      reassigned: options.reassigned,
    });
    return assignment;
  }

  /**
   * The booking was announced again (its saga stalled somewhere downstream): say again which unit
   * it holds. Consumers apply an outcome they already have as a no-op.
   */
  reannounce(): boolean {
    if (this.state.status !== 'ACTIVE') {
      return false;
    }
    this.raise({ type: 'StorageAssigned', assignment: this.snapshot(), reassigned: false });
    return true;
  }

  static restore(snapshot: AssignmentSnapshot): Assignment {
    return new Assignment({ ...snapshot });
  }

  get bookingId(): string {
    return this.state.bookingId;
  }
  get unitId(): string {
    return this.state.unitId;
  }
  get status(): AssignmentStatus {
    return this.state.status;
  }

  /** The booking was cancelled: the unit is free for the period again. */
  release(reason: string, now = new Date()): boolean {
    if (this.state.status !== 'ACTIVE') {
      return false;
    }
    this.state = { ...this.state, status: 'RELEASED', releaseReason: reason, updatedAt: now };
    this.raise({ type: 'StorageReleased', assignment: this.snapshot() });
    return true;
  }

  /** The unit was retired and nothing else was free: the booking must be cancelled and refunded. */
  revoke(reason: string, now = new Date()): boolean {
    if (this.state.status !== 'ACTIVE') {
      return false;
    }
    this.state = { ...this.state, status: 'RELEASED', releaseReason: reason, updatedAt: now };
    this.raise({ type: 'StorageAssignmentRevoked', assignment: this.snapshot() });
    return true;
  }

  /** Moved to another unit because this one was retired; the replacement raises StorageAssigned. */
  supersede(now = new Date()): boolean {
    if (this.state.status !== 'ACTIVE') {
      return false;
    }
    this.state = {
      ...this.state,
      status: 'RELEASED',
      releaseReason: 'UNIT_RETIRED_REASSIGNED',
      updatedAt: now,
    };
    return true;
  }

  /** The rental ended (check-out). */
  complete(now = new Date()): boolean {
    if (this.state.status !== 'ACTIVE') {
      return false;
    }
    this.state = { ...this.state, status: 'COMPLETED', updatedAt: now };
    return true;
  }

  snapshot(): AssignmentSnapshot {
    return { ...this.state };
  }
}
