import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Local copy of storage-assign's units (event-carried state): only what pricing needs. */
@Entity({ name: 'catalogue_unit' })
export class CatalogueUnitOrmEntity {
  @PrimaryColumn({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ type: 'varchar', length: 2 })
  size!: string;

  @Column({ name: 'daily_rate', type: 'int' })
  dailyRate!: number;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** When storage-assign changed the unit (its event's occurredAt); null in rows from before. */
  @Column({ name: 'changed_at', type: 'timestamptz', nullable: true })
  changedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
