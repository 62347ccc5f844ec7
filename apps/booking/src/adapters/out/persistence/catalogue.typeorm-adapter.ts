import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { currentManager } from '@storage/persistence';
import type { UnitSize } from '../../../domain';
import { Catalogue, type CatalogueUnit } from '../../../application/ports/catalogue.port';

/**
 * How long a size's rate, once read, is answered from memory. The catalogue is already a copy
 * that lags storage-assign by the relay's delay; a second more spares every booking and quote its
 * round trip to Postgres.
 */
const RATE_REUSED_MS = 1000;

@Injectable()
export class CatalogueTypeormAdapter extends Catalogue {
  private readonly rates = new Map<UnitSize, { rate: number | null; readAt: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async dailyRate(size: UnitSize): Promise<number | null> {
    const now = Date.now();
    const known = this.rates.get(size);
    if (known && now - known.readAt < RATE_REUSED_MS) {
      return known.rate;
    }
    const [row] = await currentManager(this.dataSource).query<{ rate: number | null }[]>(
      `SELECT max(daily_rate) AS rate FROM catalogue_unit WHERE size = $1 AND status <> 'RETIRED'`,
      [size],
    );
    const rate = row?.rate ?? null;
    this.rates.set(size, { rate, readAt: now });
    return rate;
  }

  async upsert(unit: CatalogueUnit): Promise<void> {
    // Events of one unit share its key, so they arrive in order; what can come late is a replayed
    // dead letter, which finds a later version here and changes nothing.
    await currentManager(this.dataSource).query(
      `INSERT INTO catalogue_unit (unit_id, size, daily_rate, status, unit_version, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (unit_id) DO UPDATE
         SET size = EXCLUDED.size, daily_rate = EXCLUDED.daily_rate, status = EXCLUDED.status,
             unit_version = EXCLUDED.unit_version, updated_at = EXCLUDED.updated_at
         WHERE catalogue_unit.unit_version IS NULL OR EXCLUDED.unit_version IS NULL
            OR catalogue_unit.unit_version < EXCLUDED.unit_version`,
      [unit.unitId, unit.size, unit.dailyRate, unit.status, unit.version],
    );
    // Read afresh next time. A read racing this write's commit may keep the old rate for
    // RATE_REUSED_MS, as other replicas do: the bound holds either way.
    this.rates.delete(unit.size);
  }
}
