import type { UnitOfWork } from '@storage/ddd';
import { InMemoryUnits } from '../ports/storage-unit.repository.fake';
import { SeedInventoryCommand } from './seed-inventory.command';
import { SeedInventoryHandler } from './seed-inventory.handler';

const unitOfWork: UnitOfWork = { run: (work) => work() };

describe('SeedInventoryHandler', () => {
  it('seeds the default inventory into an empty service, once', async () => {
    const units = new InMemoryUnits();
    const seed = new SeedInventoryHandler(units, unitOfWork);
    expect(await seed.execute(new SeedInventoryCommand())).toBe(20);
    expect(await seed.execute(new SeedInventoryCommand())).toBe(0);
    expect(units.rows.size).toBe(20);
    expect(units.outbox.filter((event) => event.type === 'StorageUnitRegistered')).toHaveLength(20);
  });

  it('leaves an inventory another replica seeded meanwhile as it is', async () => {
    const units = new InMemoryUnits();
    units.add({ code: 'S-001' });
    // This replica saw none, then found a code taken by the other's seeding.
    const racing = Object.assign(Object.create(units) as InMemoryUnits, { count: () => Promise.resolve(0) });
    expect(await new SeedInventoryHandler(racing, unitOfWork).execute(new SeedInventoryCommand())).toBe(0);
    expect(units.rows.size).toBe(1);
  });
});
