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
 * highest among its units not retired, and a unit's state only moves forwards, whatever order its
 * events are applied in (a dead letter replayed after the unit changed again is not taken).
 */
describe('booking catalogue (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshServiceDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await freshServiceDatabase([BookingOrmEntity, CatalogueUnitOrmEntity], BOOKING_MIGRATIONS);
    dataSource = db.dataSource;
  });

  afterAll(() => db.drop());

  // A fresh adapter per read: its rates are kept a second in memory.
  const rateOf = (size: CatalogueUnit['size']) => new CatalogueTypeormAdapter(dataSource).dailyRate(size);
  const apply = (unit: CatalogueUnit) => new CatalogueTypeormAdapter(dataSource).upsert(unit);
  const at = (minute: number) => new Date(Date.UTC(2040, 0, 1, 0, minute)).toISOString();

  async function stored(unitId: string) {
    const [row] = await dataSource.query<{ daily_rate: number; status: string; changed_at: Date | null }[]>(
      'SELECT daily_rate, status, changed_at FROM catalogue_unit WHERE unit_id = $1',
      [unitId],
    );
    return row;
  }

  it('prices a size at the highest rate among its units not retired', async () => {
    const cheap = randomUUID();
    const dear = randomUUID();
    await apply({ unitId: cheap, size: 'S', dailyRate: 1000, status: 'AVAILABLE', changedAt: at(1) });
    await apply({ unitId: dear, size: 'S', dailyRate: 3000, status: 'MAINTENANCE', changedAt: at(1) });
    expect(await rateOf('S')).toBe(3000);
    await apply({ unitId: dear, size: 'S', dailyRate: 3000, status: 'RETIRED', changedAt: at(2) });
    expect(await rateOf('S')).toBe(1000);
  });

  it('keeps a later announcement of a unit when an older one arrives after it', async () => {
    const unitId = randomUUID();
    await apply({ unitId, size: 'M', dailyRate: 7000, status: 'AVAILABLE', changedAt: at(10) });
    await apply({ unitId, size: 'M', dailyRate: 5000, status: 'AVAILABLE', changedAt: at(5) });
    expect(await stored(unitId)).toMatchObject({ daily_rate: 7000, changed_at: new Date(at(10)) });
    expect(await rateOf('M')).toBe(7000);
  });

  it('does not bring a retired unit back when its registration is replayed', async () => {
    const kept = randomUUID();
    const retired = randomUUID();
    await apply({ unitId: kept, size: 'L', dailyRate: 9000, status: 'AVAILABLE', changedAt: at(20) });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'AVAILABLE', changedAt: at(20) });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'RETIRED', changedAt: at(30) });
    await apply({ unitId: retired, size: 'L', dailyRate: 12000, status: 'AVAILABLE', changedAt: at(20) });
    expect(await stored(retired)).toMatchObject({ status: 'RETIRED' });
    expect(await rateOf('L')).toBe(9000);
  });

  it('takes an announcement as recent as the one it holds: changes within one millisecond arrive in order', async () => {
    const unitId = randomUUID();
    await apply({ unitId, size: 'M', dailyRate: 4000, status: 'AVAILABLE', changedAt: at(40) });
    await apply({ unitId, size: 'M', dailyRate: 4000, status: 'MAINTENANCE', changedAt: at(40) });
    expect(await stored(unitId)).toMatchObject({ status: 'MAINTENANCE' });
  });

  it('takes any announcement of a unit recorded before the catalogue kept their times', async () => {
    const unitId = randomUUID();
    await dataSource.query(
      `INSERT INTO catalogue_unit (unit_id, size, daily_rate, status, changed_at, updated_at)
       VALUES ($1, 'S', 2000, 'AVAILABLE', NULL, now())`,
      [unitId],
    );
    await apply({ unitId, size: 'S', dailyRate: 2500, status: 'AVAILABLE', changedAt: at(0) });
    expect(await stored(unitId)).toMatchObject({ daily_rate: 2500, changed_at: new Date(at(0)) });
  });
});
