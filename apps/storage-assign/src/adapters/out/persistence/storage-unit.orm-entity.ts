import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'storage_unit' })
export class StorageUnitOrmEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 40, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 2 })
  size!: string;

  @Column({ name: 'daily_rate', type: 'int' })
  dailyRate!: number;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'maintenance_until', type: 'date', nullable: true })
  maintenanceUntil!: string | null;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
