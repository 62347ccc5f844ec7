import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@storage/persistence';

@Entity({ name: 'booking_view' })
@Index('booking_view_customer_idx', ['customerId', 'lastEventAt'])
export class BookingViewOrmEntity {
  @PrimaryColumn({ name: 'booking_id', type: 'uuid' }) bookingId!: string;
  @Column({ name: 'customer_id', type: 'varchar', length: 100, nullable: true }) customerId!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) status!: string | null;
  @Column({ name: 'status_reason', type: 'varchar', length: 40, nullable: true }) statusReason!:
    string | null;
  @Column({ type: 'varchar', length: 2, nullable: true }) size!: string | null;
  @Column({ name: 'start_date', type: 'date', nullable: true }) startDate!: string | null;
  @Column({ name: 'end_date', type: 'date', nullable: true }) endDate!: string | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber }) amount!: number | null;
  @Column({ name: 'payment_id', type: 'uuid', nullable: true }) paymentId!: string | null;
  @Column({ name: 'payment_status', type: 'varchar', length: 20, nullable: true }) paymentStatus!:
    string | null;
  @Column({ name: 'refunded_amount', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  refundedAmount!: number | null;
  @Column({ name: 'unit_id', type: 'uuid', nullable: true }) unitId!: string | null;
  @Column({ name: 'unit_code', type: 'varchar', length: 40, nullable: true }) unitCode!: string | null;
  @Column({ name: 'unit_released', type: 'boolean', default: false }) unitReleased!: boolean;
  @Column({ name: 'unit_changed_at', type: 'varchar', length: 40, nullable: true }) unitChangedAt!:
    string | null;
  @Column({ name: 'last_event_at', type: 'varchar', length: 40, nullable: true }) lastEventAt!: string | null;
  /** Bumped by every recorded event: the condition of the next one's write. */
  @Column({ type: 'integer', default: 0 }) version!: number;
}

@Entity({ name: 'booking_timeline' })
export class BookingTimelineOrmEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'booking_id', type: 'uuid' }) bookingId!: string;
  @Column({ type: 'varchar', length: 60 }) type!: string;
  @Column({ name: 'occurred_at', type: 'varchar', length: 40 }) occurredAt!: string;
  @Column({ type: 'text' }) summary!: string;
}

@Entity({ name: 'notice' })
export class NoticeOrmEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'booking_id', type: 'uuid' }) bookingId!: string;
  @Column({ name: 'customer_id', type: 'varchar', length: 100 }) customerId!: string;
  @Column({ type: 'varchar', length: 60 }) kind!: string;
  @Column({ type: 'text' }) message!: string;
  @Column({ name: 'created_at', type: 'varchar', length: 40 }) createdAt!: string;
}
