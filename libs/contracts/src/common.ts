/** Unit sizes offered by the business; booking prices and storage-assign inventory both use them. */
export const UNIT_SIZES = ['S', 'M', 'L'] as const;
export type UnitSize = (typeof UNIT_SIZES)[number];

/** All amounts are integer Korean won (no minor unit), so no floating point ever touches money. */
export const CURRENCY = 'KRW';
