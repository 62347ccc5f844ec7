import type { UnitSize } from '../common';

/**
 * Storage-assign's HTTP contract for sibling services (owned by storage-assign, additive only):
 * `GET {STORAGE_URL}/availability?from&to[&size]`, free units per size for a period [from, to).
 */
export const AVAILABILITY_PATH = '/availability';

export interface AvailabilityQueryV1 {
  /** First day, YYYY-MM-DD (inclusive). */
  from: string;
  /** The day the unit is free again, YYYY-MM-DD (exclusive). */
  to: string;
  /** All sizes when omitted. */
  size?: UnitSize;
}

export interface SizeAvailabilityV1 {
  size: UnitSize;
  totalUnits: number;
  freeUnits: number;
  dailyRate: number | null;
  /** dailyRate x days, KRW. */
  price: number | null;
}

export interface AvailabilityV1 {
  from: string;
  to: string;
  days: number;
  sizes: SizeAvailabilityV1[];
}
