import type { UnitSize } from './storage-unit.aggregate';

/** Daily rates in KRW of the default inventory; staff set each unit's own rate when registering. */
export const DEFAULT_DAILY_RATES: Record<UnitSize, number> = { S: 3000, M: 5000, L: 9000 };

/** 20 units over three sizes, seeded on a first start so a fresh system can take bookings at once. */
export function defaultInventory(): { code: string; size: UnitSize; dailyRate: number }[] {
  const counts: Record<UnitSize, number> = { S: 8, M: 7, L: 5 };
  return (Object.keys(counts) as UnitSize[]).flatMap((size) =>
    Array.from({ length: counts[size] }, (_, index) => ({
      code: `${size}-${String(index + 1).padStart(3, '0')}`,
      size,
      dailyRate: DEFAULT_DAILY_RATES[size],
    })),
  );
}
