import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@storage/persistence';

@Entity({ name: 'booking' })
@Index('booking_customer_idx', ['customerId', 'createdAt'])
export class BookingOrmEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 100 })
  customerId!: string;

  @Column({ type: 'varchar', length: 2 })
  size!: string;

  @Column({ name: 'start_date', type: 'date' })
  startDate!: string;

  @Column({ name: 'end_date', type: 'date' })
  endDate!: string;

  @Column({ type: 'int' })
  days!: number;

  @Column({ name: 'daily_rate', type: 'int' })
  dailyRate!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'payment_id', type: 'uuid', nullable: true })
  paymentId!: string | null;

  @Column({ name: 'unit_id', type: 'uuid', nullable: true })
  unitId!: string | null;

  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true })
  unitCode!: string | null;

  @Column({ name: 'rejection_reason', type: 'varchar', length: 40, nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'payment_decline_reason', type: 'varchar', length: 100, nullable: true })
  paymentDeclineReason!: string | null;

  @Column({ name: 'cancellation_reason', type: 'varchar', length: 40, nullable: true })
  cancellationReason!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
