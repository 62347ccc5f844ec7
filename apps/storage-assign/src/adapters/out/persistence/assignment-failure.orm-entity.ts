import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Bookings no unit could be found for: an operator's list, and the failure's idempotency key. */
@Entity({ name: 'assignment_failure' })
export class AssignmentFailureOrmEntity {
  @PrimaryColumn({ name: 'booking_id', type: 'uuid' })
  bookingId!: string;

  @Column({ type: 'varchar', length: 2 })
  size!: string;

  @Column({ type: 'varchar', length: 60 })
  reason!: string;

  @Column({ name: 'failed_at', type: 'timestamptz' })
  failedAt!: Date;
}
