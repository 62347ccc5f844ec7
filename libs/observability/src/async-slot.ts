import { AsyncLocalStorage } from 'node:async_hooks';

type Scope = Readonly<Record<symbol, unknown>>;

// The process's one AsyncLocalStorage. On Node 20 every enabled AsyncLocalStorage has its store
// copied onto every promise the process creates (a promise hook, a property per store), so each
// store makes every promise dearer again: on a slow host 0.14 us per promise without any, 0.24 us
// more with one, 0.53 us more with two. A booking creates some 1,800 promises across the services.
const storage = new AsyncLocalStorage<Scope>();

/**
 * A value carried along one async flow (a request, a message, a transaction), kept under its own
 * key in the process's one AsyncLocalStorage: slots are independent of each other, as separate
 * stores would be, without a store's cost per promise each.
 */
export class AsyncSlot<T> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol(name);
  }

  /** Runs `fn` with this slot holding `value`; every other slot keeps what it holds. */
  run<R>(value: T, fn: () => R): R {
    return storage.run({ ...storage.getStore(), [this.key]: value }, fn);
  }

  /** What this slot holds in the current async flow, if anything. */
  get(): T | undefined {
    return storage.getStore()?.[this.key] as T | undefined;
  }
}
