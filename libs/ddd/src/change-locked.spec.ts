import { changeInHand, changeLocked } from './change-locked';
import type { UnitOfWork } from './unit-of-work.port';

class Counter {
  constructor(public value: number) {}
  /** A fact: absorbs a value, reports whether it moved. */
  raiseTo(value: number): boolean {
    if (value <= this.value) {
      return false;
    }
    this.value = value;
    return true;
  }
}

/** Records what ran inside the transaction. */
function recordingUnitOfWork(log: string[]): UnitOfWork {
  return {
    run: async <T>(work: () => Promise<T>) => {
      log.push('begin');
      const result = await work().catch((error: unknown) => {
        log.push('rollback');
        throw error;
      });
      log.push('commit');
      return result;
    },
  };
}

/** The locked way's read and write, recording what they did. */
function steps(log: string[], stored: Counter | null) {
  return {
    lock: () => {
      log.push('lock');
      return Promise.resolve(stored);
    },
    save: (counter: Counter) => {
      log.push(`save ${counter.value}`);
      return Promise.resolve();
    },
  };
}

describe('changeLocked', () => {
  it('locks, applies and saves inside one unit of work when the aggregate changed', async () => {
    const log: string[] = [];
    const result = await changeLocked(recordingUnitOfWork(log), {
      ...steps(log, new Counter(1)),
      apply: (counter) => counter.raiseTo(5),
    });
    expect(log).toEqual(['begin', 'lock', 'save 5', 'commit']);
    expect(result).toEqual({ aggregate: new Counter(5), changed: true });
  });

  it('does not save what did not change, and says so', async () => {
    const log: string[] = [];
    const result = await changeLocked(recordingUnitOfWork(log), {
      ...steps(log, new Counter(7)),
      apply: (counter) => counter.raiseTo(5),
    });
    expect(log).toEqual(['begin', 'lock', 'commit']);
    expect(result).toEqual({ aggregate: new Counter(7), changed: false });
  });

  it('reports a missing aggregate without applying anything', async () => {
    const log: string[] = [];
    const apply = jest.fn(() => true);
    const result = await changeLocked(recordingUnitOfWork(log), { ...steps(log, null), apply });
    expect(apply).not.toHaveBeenCalled();
    expect(log).toEqual(['begin', 'lock', 'commit']);
    expect(result).toEqual({ aggregate: null, changed: false });
  });

  it('saves nothing and rolls back when a request is refused', async () => {
    const log: string[] = [];
    const refusal = new Error('not in this state');
    await expect(
      changeLocked(recordingUnitOfWork(log), {
        ...steps(log, new Counter(1)),
        apply: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(log).toEqual(['begin', 'lock', 'rollback']);
  });
});

describe('changeInHand', () => {
  it('saves the copy in hand in one conditional write, with no transaction, when the row is as it saw it', async () => {
    const log: string[] = [];
    const copy = new Counter(1);
    const result = await changeInHand(
      recordingUnitOfWork(log),
      {
        aggregate: copy,
        saveIfUnchanged: (counter) => {
          log.push(`save if unchanged ${counter.value}`);
          return Promise.resolve(true);
        },
      },
      { ...steps(log, new Counter(1)), apply: (counter) => counter.raiseTo(5) },
    );
    expect(log).toEqual(['save if unchanged 5']);
    expect(result).toEqual({ aggregate: copy, changed: true });
  });

  it('drops the copy and takes the locked way on the row as it is now when someone changed it', async () => {
    const log: string[] = [];
    const result = await changeInHand(
      recordingUnitOfWork(log),
      { aggregate: new Counter(1), saveIfUnchanged: () => Promise.resolve(false) },
      { ...steps(log, new Counter(7)), apply: (counter) => counter.raiseTo(5) },
    );
    // The row moved to 7 meanwhile: raising to 5 changes nothing, and nothing is saved.
    expect(log).toEqual(['begin', 'lock', 'commit']);
    expect(result).toEqual({ aggregate: new Counter(7), changed: false });
  });

  it("gives the locked way's answer when the copy refuses the change", async () => {
    const log: string[] = [];
    const refusal = new Error('not in this state');
    const saveIfUnchanged = jest.fn(() => Promise.resolve(true));
    await expect(
      changeInHand(
        recordingUnitOfWork(log),
        { aggregate: new Counter(1), saveIfUnchanged },
        {
          ...steps(log, new Counter(1)),
          apply: () => {
            throw refusal;
          },
        },
      ),
    ).rejects.toBe(refusal);
    expect(saveIfUnchanged).not.toHaveBeenCalled();
    expect(log).toEqual(['begin', 'lock', 'rollback']);
  });
});
