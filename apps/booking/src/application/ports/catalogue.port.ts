import type { UnitSize } from '../../domain';

export interface CatalogueUnit {
  unitId: string;
  size: UnitSize;
  dailyRate: number;
  status: string;
  /** The unit's version, one more with each of its events (null: a publisher from before versions). */
  version: number | null;
}

/**
 * Booking's own copy of the unit catalogue, fed by storage-assign's inventory events, so prices
 * are known even while storage-assign is down. A size's daily rate is the highest rate among its
 * units in service: the customer does not know which unit they will get, and is never undercharged
 * against the unit they do get.
 */
export abstract class Catalogue {
  abstract dailyRate(size: UnitSize): Promise<number | null>;
  /**
   * Takes the unit as announced, unless the catalogue holds this version of it or a later one (an
   * old event replayed from the dead letters, say): a unit's state only moves forwards.
   */
  abstract upsert(unit: CatalogueUnit): Promise<void>;
}
