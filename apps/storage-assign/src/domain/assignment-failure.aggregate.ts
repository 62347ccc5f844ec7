import { AggregateRoot } from '@storage/ddd';
import type { UnitSize } from './storage-unit.aggregate';

export type AssignmentFailureEvent = {
  type: 'StorageAssignmentFailed';
  bookingId: string;
  size: UnitSize;
  reason: string;
};

/**
 * No unit could be found for a booking. Kept once per booking (the operator's list of who went
 * without), but announced on every report: a booking re-driven after a lost outcome must hear it.
 */
export class AssignmentFailure extends AggregateRoot<AssignmentFailureEvent> {
  private constructor(
    readonly bookingId: string,
    readonly size: UnitSize,
    readonly reason: string,
    readonly failedAt: Date,
  ) {
    super();
  }

  static report(
    input: { bookingId: string; size: UnitSize; reason: string },
    now = new Date(),
  ): AssignmentFailure {
    const failure = new AssignmentFailure(input.bookingId, input.size, input.reason, now);
    failure.raise({ type: 'StorageAssignmentFailed', ...input });
    return failure;
  }
}
