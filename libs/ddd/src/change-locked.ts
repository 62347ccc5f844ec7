import type { UnitOfWork } from './unit-of-work.port';

/** The three steps of a change to one stored aggregate. */
export interface LockedChange<A> {
  /** Reads it with a row lock: null when there is none (or none the caller may see). */
  lock: () => Promise<A | null>;
  /**
   * The aggregate's own transition (see AggregateRoot): a fact returns whether it changed
   * anything; a request returns true, having thrown if the state forbids it.
   */
  apply: (aggregate: A) => boolean;
  /** Writes the row and the events it raised. */
  save: (aggregate: A) => Promise<void>;
}

export interface ChangeResult<A> {
  /** The aggregate as it is now; null when there was none. */
  aggregate: A | null;
  changed: boolean;
}

/**
 * The one shape of every change to one aggregate, in one transaction: read it locked (a
 * concurrent change waits instead of being overwritten), let the aggregate decide, save it with
 * its events only when it changed. What a missing aggregate means (not found, not ours, a bug) is
 * the caller's to say, from the result.
 */
export function changeLocked<A>(unitOfWork: UnitOfWork, change: LockedChange<A>): Promise<ChangeResult<A>> {
  return unitOfWork.run(async () => {
    const aggregate = await change.lock();
    if (!aggregate) {
      return { aggregate: null, changed: false };
    }
    const changed = change.apply(aggregate);
    if (changed) {
      await change.save(aggregate);
    }
    return { aggregate, changed };
  });
}
