import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@storage/persistence';

@Entity({ name: 'payment' })
export class PaymentOrmEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The idempotency key: one payment per booking, enforced by a unique index. */
  @Column({ name: 'booking_id', type: 'uuid', unique: true })
  bookingId!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 100 })
  customerId!: string;

  @Column({
    type: 'bigint',
    transformer: bigintAsNumber,
  })
  amount!: number;

  @Column({ type: 'varchar', length: 50 })
  method!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'decline_reason', type: 'varchar', length: 100, nullable: true })
  declineReason!: string | null;

  @Column({ name: 'refund_reason', type: 'varchar', length: 100, nullable: true })
  refundReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt!: Date | null;

  /** Set once booking confirmed the payment's booking is kept: the reconciliation stops asking. */
  @Column({ name: 'reconciled_at', type: 'timestamptz', nullable: true })
  reconciledAt?: Date | null;

  /** When the reconciliation last asked and the answer left it open (oldest asked first). */
  @Column({ name: 'reconcile_checked_at', type: 'timestamptz', nullable: true })
  reconcileCheckedAt?: Date | null;
}
