import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Proof that a consumer already applied an event: inserted in the same transaction as the effect. */
@Entity({ name: 'inbox_message' })
export class InboxMessageOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 200 })
  eventType!: string;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt!: Date;
}
