import type { FindOneOptions } from 'typeorm';

/** The find option that locks the row for the rest of the open transaction, when asked to. */
export function lockedIf(lock: boolean | undefined): Pick<FindOneOptions, 'lock'> {
  return lock ? { lock: { mode: 'pessimistic_write' } } : {};
}
