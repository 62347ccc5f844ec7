import type { UnitSize } from '../../domain';

export interface CatalogueUnit {
  unitId: string;
  size: UnitSize;
  dailyRate: number;
  status: string;
}

/**
 * Booking's own copy of the unit catalogue, fed by storage-assign's inventory events, so prices
 * are known even while storage-assign is down. A size's daily rate is the highest rate among its
 * units in service: the customer does not know which unit they will get, and is never undercharged
 * against the unit they do get.
 */
export abstract class Catalogue {
  abstract dailyRate(size: UnitSize): Promise<number | null>;
  abstract upsert(unit: CatalogueUnit): Promise<void>;
}
