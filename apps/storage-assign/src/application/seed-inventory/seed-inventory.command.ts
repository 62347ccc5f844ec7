import { defaultInventory, type UnitSize } from '../../domain';

/** The units to register when the service starts with none: the default inventory unless told. */
export class SeedInventoryCommand {
  constructor(
    readonly units: readonly { code: string; size: UnitSize; dailyRate: number }[] = defaultInventory(),
  ) {}
}
