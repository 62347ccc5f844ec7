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

  /** The unit's version its last event carried (null: rows and publishers from before versions). */
  @Column({ name: 'unit_version', type: 'int', nullable: true })
  unitVersion!: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
