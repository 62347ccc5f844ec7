import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { currentManager } from '@storage/persistence';
import type { UnitSize } from '../../../domain';
import { Catalogue, type CatalogueUnit } from '../../../application/ports/catalogue.port';
import { CatalogueUnitOrmEntity } from './catalogue-unit.orm-entity';

@Injectable()
export class CatalogueTypeormAdapter extends Catalogue {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async dailyRate(size: UnitSize): Promise<number | null> {
    const [row] = await currentManager(this.dataSource).query<{ rate: number | null }[]>(
      `SELECT max(daily_rate) AS rate FROM catalogue_unit WHERE size = $1 AND status <> 'RETIRED'`,
      [size],
    );
    return row?.rate ?? null;
  }

  async upsert(unit: CatalogueUnit): Promise<void> {
    await currentManager(this.dataSource).upsert(
      CatalogueUnitOrmEntity,
      { ...unit, updatedAt: new Date() },
      { conflictPaths: ['unitId'] },
    );
  }
}
