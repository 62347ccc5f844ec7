/**
 * Postgres bigint arrives as a string (it may exceed 2^53); amounts in KRW never do, so they are
 * numbers in the domain. NULL stays NULL.
 */
export const bigintAsNumber = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
