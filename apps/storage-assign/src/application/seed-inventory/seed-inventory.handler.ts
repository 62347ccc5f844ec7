import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { DuplicateUnitCodeError, StorageUnit } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';
import type { SeedInventoryCommand } from './seed-inventory.command';

/** Registers the default inventory when the service starts with no units at all. */
@Injectable()
export class SeedInventoryHandler {
  private readonly logger = new Logger(SeedInventoryHandler.name);

  constructor(
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ units }: SeedInventoryCommand): Promise<number> {
    try {
      return await this.seedIfEmpty(units);
    } catch (error) {
      // Another replica seeded at the same moment; its inventory stands.
      if (error instanceof DuplicateUnitCodeError) {
        return 0;
      }
      throw error;
    }
  }

  private seedIfEmpty(inventory: SeedInventoryCommand['units']): Promise<number> {
    return this.unitOfWork.run(async () => {
      if ((await this.units.count()) > 0) {
        return 0;
      }
      for (const input of inventory) {
        await this.units.insert(StorageUnit.register(input));
      }
      this.logger.log({ msg: 'Seeded the default inventory', units: inventory.length });
      return inventory.length;
    });
  }
}
