import { setImmediate as nextTurn } from 'node:timers/promises';
import { AsyncSlot } from './async-slot';

describe('AsyncSlot', () => {
  const request = new AsyncSlot<string>('request');
  const transaction = new AsyncSlot<number>('transaction');

  it('holds nothing outside a run, and its value through awaits inside one', async () => {
    expect(request.get()).toBeUndefined();
    const seen = await request.run('r1', async () => {
      await nextTurn();
      return request.get();
    });
    expect(seen).toBe('r1');
    expect(request.get()).toBeUndefined();
  });

  it('keeps slots independent: running one leaves what the others hold, and nesting restores', async () => {
    const seen = await request.run('r1', () =>
      transaction.run(7, async () => {
        await nextTurn();
        const inner = await request.run('r2', async () => {
          await nextTurn();
          return [request.get(), transaction.get()];
        });
        return { inner, outer: [request.get(), transaction.get()] };
      }),
    );
    expect(seen).toEqual({ inner: ['r2', 7], outer: ['r1', 7] });
  });

  it('keeps concurrent flows apart', async () => {
    const flow = (name: string, n: number) =>
      request.run(name, () =>
        transaction.run(n, async () => {
          const seen: Array<[string | undefined, number | undefined]> = [];
          for (let i = 0; i < 3; i += 1) {
            await nextTurn();
            seen.push([request.get(), transaction.get()]);
          }
          return seen;
        }),
      );
    const [a, b] = await Promise.all([flow('a', 1), flow('b', 2)]);
    expect(a).toEqual([
      ['a', 1],
      ['a', 1],
      ['a', 1],
    ]);
    expect(b).toEqual([
      ['b', 2],
      ['b', 2],
      ['b', 2],
    ]);
  });

  it('tells two slots of the same name apart', () => {
    const other = new AsyncSlot<string>('request');
    expect(request.run('mine', () => other.get())).toBeUndefined();
  });
});
