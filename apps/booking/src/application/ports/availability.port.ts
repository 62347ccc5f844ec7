import type { RentalPeriod } from '@storage/ddd';
import type { UnitSize } from '../../domain';

/** storage-assign's free-unit count; null when it cannot tell quickly (bookings go on regardless). */
export abstract class Availability {
  abstract freeUnits(size: UnitSize, period: RentalPeriod): Promise<number | null>;
}
