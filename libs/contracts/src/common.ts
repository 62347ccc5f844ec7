/** Unit sizes offered by the business; booking prices and storage-assign inventory both use them. */
export const UNIT_SIZES = ['S', 'M', 'L'] as const;
export type UnitSize = (typeof UNIT_SIZES)[number];

/**
 * `true` only when A and B are the same set of values: a publisher's domain keeps its own words
 * (it imports no wire contract) and states, where it maps them, that they are the contract's, so
 * the build fails the day either gains or loses one.
 */
export type SameValues<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

/** All amounts are integer Korean won (no minor unit), so no floating point ever touches money. */
export const CURRENCY = 'KRW';

/**
 * A customer (or staff) id: the subject of the token the gateway verifies, and the only form any
 * service accepts. Printable ASCII without spaces: it travels in a header and is stored as text,
 * and neither can hold a control character (Postgres refuses a NUL outright).
 */
export const CUSTOMER_ID_PATTERN = /^[\x21-\x7e]{1,100}$/;
export const CUSTOMER_ID_RULE = '1-100 printable characters without spaces';
