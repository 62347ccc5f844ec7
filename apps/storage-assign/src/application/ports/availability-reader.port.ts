import type { RentalPeriod } from '@storage/ddd';
import type { UnitSize } from '../../domain';

export interface SizeAvailability {
  size: UnitSize;
  totalUnits: number;
  freeUnits: number;
  /** The size's rate: the highest daily rate among its units in service (never undercharges). */
  dailyRate: number | null;
}

/** The read side of the inventory: what is free when, per size (no locks, nothing written). */
export abstract class AvailabilityReader {
  abstract availability(period: RentalPeriod, size?: UnitSize): Promise<SizeAvailability[]>;
}
