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

/** A copy of the aggregate the caller holds fresh (it just wrote or read it), and how to save it. */
export interface InHand<A> {
  aggregate: A;
  /** Saves the changed copy only while the stored row is still as the copy saw it; false if not. */
  saveIfUnchanged: (aggregate: A) => Promise<boolean>;
}

/**
 * The same change, tried first on the copy in hand: applied to it and saved in one conditional
 * statement, no lock and no transaction, which is the usual case (nobody touched the row in the
 * meantime). When someone did, or the copy refuses the change, the copy is dropped and the change
 * takes the locked way on the row as it is now, whose answer (a change, nothing, the rule's error)
 * is the one returned: the result is always what the locked way alone would have given.
 */
export async function changeInHand<A>(
  unitOfWork: UnitOfWork,
  inHand: InHand<A>,
  change: LockedChange<A>,
): Promise<ChangeResult<A>> {
  let applied: boolean;
  try {
    applied = change.apply(inHand.aggregate);
  } catch {
    applied = false;
  }
  if (applied && (await inHand.saveIfUnchanged(inHand.aggregate))) {
    return { aggregate: inHand.aggregate, changed: true };
  }
  return changeLocked(unitOfWork, change);
}
