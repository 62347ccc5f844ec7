import { Outbox } from '@storage/messaging';
import { TypeOrmUnitOfWork } from '@storage/persistence';
import { StorageUnitTypeormRepository } from '../../apps/storage-assign/src/adapters/out/persistence/storage-unit.typeorm-repository';
import { SeedInventoryHandler } from '../../apps/storage-assign/src/application/seed-inventory/seed-inventory.handler';
import { STORAGE_ASSIGN_ENTITIES } from '../../apps/storage-assign/src/adapters/out/persistence/storage-assign.entities';
import { STORAGE_ASSIGN_MIGRATIONS } from '../../apps/storage-assign/src/migrations';
import { freshServiceDatabase } from '../support/database';
import { SeedInventoryCommand } from '../../apps/storage-assign/src/application/seed-inventory/seed-inventory.command';

describe('default inventory seeding (real Postgres)', () => {
  it('seeds 20 units once, even when replicas start together, and announces each', async () => {
    const db = await freshServiceDatabase(STORAGE_ASSIGN_ENTITIES, STORAGE_ASSIGN_MIGRATIONS);
    try {
      const replica = () =>
        new SeedInventoryHandler(
          new StorageUnitTypeormRepository(db.dataSource, new Outbox()),
          new TypeOrmUnitOfWork(db.dataSource),
        );
      const seeded = await Promise.all([
        replica().execute(new SeedInventoryCommand()),
        replica().execute(new SeedInventoryCommand()),
      ]);
      expect([...seeded].sort()).toEqual([0, 20]);
      await expect(replica().execute(new SeedInventoryCommand())).resolves.toBe(0);
      const [{ units }] = await db.dataSource.query<{ units: number }[]>(
        'SELECT count(*)::int AS units FROM storage_unit',
      );
      expect(units).toBe(20);
      const [{ events }] = await db.dataSource.query<{ events: number }[]>(
        `SELECT count(*)::int AS events FROM outbox_message WHERE event_type = 'StorageUnitRegistered'`,
      );
      expect(events).toBe(20);
    } finally {
      await db.drop();
    }
  });
});
