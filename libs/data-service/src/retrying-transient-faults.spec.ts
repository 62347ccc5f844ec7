import { RetryingTransientFaults } from './retrying-transient-faults';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** Work failing with the given errors in turn, then answering 'done'. */
function failing(...errors: Error[]): { work: (attempt: number) => Promise<string>; attempts: number[] } {
  const attempts: number[] = [];
  return {
    attempts,
    work: (attempt) => {
      attempts.push(attempt);
      const error = errors[attempts.length - 1];
      return error ? Promise.reject(error) : Promise.resolve('done');
    },
  };
}

describe('RetryingTransientFaults', () => {
  const faults = new RetryingTransientFaults();

  it('runs the work again while the database is unreachable or a conflict was lost, until it succeeds', async () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const flaky = failing(refused(), deadlock, refused());
    await expect(faults.waitOut(flaky.work, 10_000)).resolves.toBe('done');
    expect(flaky.attempts).toEqual([1, 2, 3, 4]);
  });

  it('throws any other failure at once', async () => {
    const bug = new TypeError('x is undefined');
    const broken = failing(bug);
    await expect(faults.waitOut(broken.work, 10_000)).rejects.toBe(bug);
    expect(broken.attempts).toEqual([1]);
  });

  it('gives up with the last failure once the next wait would pass the deadline', async () => {
    const errors = Array.from({ length: 50 }, refused);
    const down = failing(...errors);
    const failure = await faults.waitOut(down.work, 700).catch((error: unknown) => error);
    expect(failure).toBe(errors[down.attempts.length - 1]);
    // Back-off from 100 ms doubling: a handful of tries fit in 700 ms, and none is made after it.
    expect(down.attempts.length).toBeGreaterThan(1);
    expect(down.attempts.length).toBeLessThan(10);
  });

  it('tries once with no patience at all', async () => {
    const down = failing(refused(), refused());
    await expect(faults.waitOut(down.work, 0)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(down.attempts).toEqual([1]);
  });
});
