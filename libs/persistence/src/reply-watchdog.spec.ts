import { EventEmitter } from 'node:events';
import type { Client } from 'pg';
import { watchReplies } from './reply-watchdog';

/** What the watchdog sees of a node-postgres client: the statement awaiting a reply, the socket. */
const clients: FakeClient[] = [];

class FakeClient extends EventEmitter {
  active: object | null = null;
  readonly destroy = jest.fn<void, [Error?]>();
  readonly connection = { stream: { destroy: this.destroy } };
  _getActiveQuery(): object | null {
    return this.active;
  }
  watch(stallMs: number): this {
    clients.push(this);
    watchReplies(this as unknown as Client, stallMs);
    return this;
  }
}

describe('watchReplies', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    // Every client ended: the watchdog's timer stops by itself at its next check.
    clients.splice(0).forEach((client) => client.emit('end'));
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  it('closes a connection whose statement has had no reply for the stall time', () => {
    const client = new FakeClient().watch(5000);
    client.active = {};
    jest.advanceTimersByTime(4000);
    expect(client.destroy).not.toHaveBeenCalled();
    jest.advanceTimersByTime(2000);
    expect(client.destroy).toHaveBeenCalledTimes(1);
    expect(client.destroy.mock.calls[0][0]?.message).toBe(
      'Connection terminated: the database sent no reply for 5000 ms',
    );
    // Once closed it is forgotten: never closed twice.
    jest.advanceTimersByTime(10_000);
    expect(client.destroy).toHaveBeenCalledTimes(1);
  });

  it('leaves alone a connection that is answered, however busy, and one that is idle', () => {
    const busy = new FakeClient().watch(5000);
    const idle = new FakeClient().watch(5000);
    for (let second = 0; second < 30; second += 1) {
      busy.active = {};
      jest.advanceTimersByTime(1000);
    }
    expect(busy.destroy).not.toHaveBeenCalled();
    expect(idle.destroy).not.toHaveBeenCalled();
  });

  it('stops watching a connection that ended', () => {
    const ended = new FakeClient().watch(2000);
    const stalled = new FakeClient().watch(2000);
    ended.emit('end');
    ended.active = {};
    stalled.active = {};
    jest.advanceTimersByTime(10_000);
    expect(ended.destroy).not.toHaveBeenCalled();
    expect(stalled.destroy).toHaveBeenCalledTimes(1);
  });
});
