import type { UnitSize } from '../common';

/**
 * Storage-assign's HTTP contract for sibling services (owned by storage-assign, additive only):
 * `GET {STORAGE_URL}/availability?from&to[&size]`, free units per size for a period [from, to).
 */
export const AVAILABILITY_PATH = '/availability';

/**
 * A unit's code as storage-assign lets one be registered: 1-40 letters, digits or dashes, the first
 * a letter or digit. Its events carry no other (consumers store the code in 40 characters).
 */
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

/** The highest daily rate (integer KRW) storage-assign lets a unit have; its events carry no higher. */
export const MAX_DAILY_RATE_KRW = 10_000_000;

/** The highest unit version an event carries: consumers store it as a Postgres int. */
export const MAX_UNIT_VERSION = 2_147_483_647;

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
