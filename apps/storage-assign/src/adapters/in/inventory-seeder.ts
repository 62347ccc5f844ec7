import type { OnApplicationBootstrap } from '@nestjs/common';
import type { SeedInventoryHandler } from '../../application/seed-inventory/seed-inventory.handler';
import { SeedInventoryCommand } from '../../application/seed-inventory/seed-inventory.command';

/** Seeds the default inventory once the database is migrated, when configured to. */
export class InventorySeeder implements OnApplicationBootstrap {
  constructor(
    private readonly seed: SeedInventoryHandler,
    private readonly enabled: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.enabled) {
      await this.seed.execute(new SeedInventoryCommand());
    }
  }
}
