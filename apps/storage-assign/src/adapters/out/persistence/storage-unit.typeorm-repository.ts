import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Outbox } from '@storage/messaging';
import { currentManager, lockedIf, transactionManager } from '@storage/persistence';
import { DuplicateUnitCodeError, type StorageUnit, type UnitSize, type UnitStatus } from '../../../domain';
import { StorageUnitRepository } from '../../../application/ports/storage-unit.repository.port';
import { toIntegrationEvent } from './storage-events.mapper';
import { StorageUnitMapper } from './storage.mappers';
import { StorageUnitOrmEntity } from './storage-unit.orm-entity';

@Injectable()
export class StorageUnitTypeormRepository extends StorageUnitRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async findById(id: string, options?: { lock: boolean }): Promise<StorageUnit | null> {
    const row = await currentManager(this.dataSource).findOne(StorageUnitOrmEntity, {
      where: { id },
      ...lockedIf(options?.lock),
    });
    return row ? StorageUnitMapper.toDomain(row) : null;
  }

  async list(filter: { size?: UnitSize; status?: UnitStatus }): Promise<StorageUnit[]> {
    const rows = await currentManager(this.dataSource).find(StorageUnitOrmEntity, {
      where: {
        ...(filter.size ? { size: filter.size } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      order: { code: 'ASC' },
    });
    return rows.map((row) => StorageUnitMapper.toDomain(row));
  }

  count(): Promise<number> {
    return currentManager(this.dataSource).count(StorageUnitOrmEntity);
  }

  async insert(unit: StorageUnit): Promise<void> {
    const manager = transactionManager('Registering a storage unit');
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(StorageUnitOrmEntity)
      .values(StorageUnitMapper.toOrm(unit))
      .orIgnore()
      .returning('id')
      .execute();
    if ((result.raw as unknown[]).length === 0) {
      throw new DuplicateUnitCodeError(unit.code);
    }
    await this.outbox.appendAll(manager, unit.pullEvents().map(toIntegrationEvent));
  }

  async save(unit: StorageUnit): Promise<void> {
    await this.outbox.update(
      transactionManager('Saving a storage unit'),
      StorageUnitOrmEntity,
      StorageUnitMapper.toOrm(unit),
      unit.pullEvents().map(toIntegrationEvent),
    );
  }
}
