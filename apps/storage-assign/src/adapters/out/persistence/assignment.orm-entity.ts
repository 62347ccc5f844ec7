import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The table also has a generated `period daterange` column that carries the exclusion
 * constraint; it is derived from the two dates and never written by the application.
 */
@Entity({ name: 'assignment' })
export class AssignmentOrmEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'booking_id', type: 'uuid' })
  bookingId!: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ name: 'unit_code', type: 'varchar', length: 40 })
  unitCode!: string;

  @Column({ type: 'varchar', length: 2 })
  size!: string;

  @Column({ name: 'start_date', type: 'date' })
  startDate!: string;

  @Column({ name: 'end_date', type: 'date' })
  endDate!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'release_reason', type: 'varchar', length: 60, nullable: true })
  releaseReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Set once booking confirmed this booking is kept: the reconciliation stops asking. */
  @Column({ name: 'reconciled_at', type: 'timestamptz', nullable: true })
  reconciledAt?: Date | null;

  /** When the reconciliation last asked and the answer left it open (oldest asked first). */
  @Column({ name: 'reconcile_checked_at', type: 'timestamptz', nullable: true })
  reconcileCheckedAt?: Date | null;
}
