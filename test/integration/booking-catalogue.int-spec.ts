import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BookingOrmEntity } from '../../apps/booking/src/adapters/out/persistence/booking.orm-entity';
import { CatalogueTypeormAdapter } from '../../apps/booking/src/adapters/out/persistence/catalogue.typeorm-adapter';
import { CatalogueUnitOrmEntity } from '../../apps/booking/src/adapters/out/persistence/catalogue-unit.orm-entity';
import type { CatalogueUnit } from '../../apps/booking/src/application/ports/catalogue.port';
import { BOOKING_MIGRATIONS } from '../../apps/booking/src/migrations';
import { freshServiceDatabase } from '../support/database';

/**
 * Booking's price catalogue, fed by storage-assign's inventory events: a size's rate is the
 * highest among its units not retired, and a unit's entry only moves forwards by the unit's
 * version, whatever order its events are applied in (a dead letter replayed after the unit changed
 * again is not taken).
 */
describe('booking catalogue (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshServiceDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await freshServiceDatabase([BookingOrmEntity, CatalogueUnitOrmEntity], BOOKING_MIGRATIONS);
    dataSource = db.dataSource;
  });

  afterAll(() => db.drop());

  // A fresh adapter per call: it keeps a size's rate in memory for a second.
  const rateOf = (size: CatalogueUnit['size']) => new CatalogueTypeormAdapter(dataSource).dailyRate(size);
  const apply = (unit: CatalogueUnit) => new CatalogueTypeormAdapter(dataSource).upsert(unit);

  async function stored(unitId: string) {
    const [row] = await dataSource.query<
      { daily_rate: number; status: string; unit_version: number | null }[]
    >('SELECT daily_rate, status, unit_version FROM catalogue_unit WHERE unit_id = $1', [unitId]);
    return row;
  }

  it('prices a size at the highest rate among its units not retired', async () => {
    const cheap = randomUUID();
    const dear = randomUUID();
    await apply({ unitId: cheap, size: 'S', dailyRate: 1000, status: 'AVAILABLE', version: 1 });
    await apply({ unitId: dear, size: 'S', dailyRate: 3000, status: 'AVAILABLE', version: 1 });
    await apply({ unitId: dear, size: 'S', dailyRate: 3000, status: 'MAINTENANCE', version: 2 });
    expect(await rateOf('S')).toBe(3000);
    await apply({ unitId: dear, size: 'S', dailyRate: 3000, status: 'RETIRED', version: 3 });
    expect(await rateOf('S')).toBe(1000);
  });

  it('keeps a later version of a unit when an earlier one arrives after it', async () => {
    const unitId = randomUUID();
    await apply({ unitId, size: 'M', dailyRate: 7000, status: 'MAINTENANCE', version: 3 });
    await apply({ unitId, size: 'M', dailyRate: 5000, status: 'AVAILABLE', version: 2 });
    expect(await stored(unitId)).toEqual({ daily_rate: 7000, status: 'MAINTENANCE', unit_version: 3 });
    expect(await rateOf('M')).toBe(7000);
  });

  it('does not bring a retired unit back when its registration is replayed', async () => {
    const kept = randomUUID();
    const retired = randomUUID();
    await apply({ unitId: kept, size: 'L', dailyRate: 9000, status: 'AVAILABLE', version: 1 });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'AVAILABLE', version: 1 });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'RETIRED', version: 2 });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'AVAILABLE', version: 1 });
    expect(await stored(retired)).toMatchObject({ status: 'RETIRED', unit_version: 2 });
    expect(await rateOf('L')).toBe(9000);
  });

  it('takes each version of a unit once', async () => {
    const unitId = randomUUID();
    await apply({ unitId, size: 'M', dailyRate: 4000, status: 'INSPECTION', version: 5 });
    await apply({ unitId, size: 'M', dailyRate: 4000, status: 'AVAILABLE', version: 5 });
    expect(await stored(unitId)).toMatchObject({ status: 'INSPECTION', unit_version: 5 });
  });

  it('takes any event of a unit recorded before versions, and events without one', async () => {
    const unitId = randomUUID();
    await dataSource.query(
      `INSERT INTO catalogue_unit (unit_id, size, daily_rate, status, unit_version, updated_at)
       VALUES ($1, 'S', 2000, 'AVAILABLE', NULL, now())`,
      [unitId],
    );
    await apply({ unitId, size: 'S', dailyRate: 2500, status: 'AVAILABLE', version: 4 });
    expect(await stored(unitId)).toEqual({ daily_rate: 2500, status: 'AVAILABLE', unit_version: 4 });
    // A storage-assign from before versions, during a rolling upgrade, says none.
    await apply({ unitId, size: 'S', dailyRate: 2600, status: 'AVAILABLE', version: null });
    expect(await stored(unitId)).toEqual({ daily_rate: 2600, status: 'AVAILABLE', unit_version: null });
  });
});
