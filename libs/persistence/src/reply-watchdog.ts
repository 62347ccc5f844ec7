import type { Client } from 'pg';

/** The parts of a node-postgres client the watchdog reads and acts on (its internals, as pg 8 has them). */
interface WatchedClient {
  _getActiveQuery(): unknown;
  connection: { stream: { destroy(error?: Error): void } };
  once(event: 'end', listener: () => void): unknown;
}

interface Watch {
  stallMs: number;
  /** The statement the client was waiting on at the last check, and since when. */
  waitingOn: unknown;
  since: number;
}

const watched = new Map<WatchedClient, Watch>();
let timer: NodeJS.Timeout | undefined;
const CHECK_EVERY_MS = 1000;

/**
 * Closes a connection whose server has not answered a statement for `stallMs`. A server that is
 * alive answers every statement within its statement_timeout, with rows or with the cancel; one
 * that stays silent is gone without a word (its host lost, packets dropped on the way, a failover
 * to another address): nothing would ever end the wait, since the kernel gives up on an
 * unacknowledged send after about 15 minutes and never on a request it acknowledged. A consumer
 * would hang on its message, a relay on its batch, a request until the gateway's timeout, each
 * holding a pool connection. Closed, the statement fails as a terminated connection does (an
 * outage: the consumer pauses and probes, HTTP answers 503) and the pool opens a new connection.
 *
 * One timer checks every watched client once a second: nothing is added to a statement's own path.
 */
export function watchReplies(client: Client, stallMs: number): void {
  const target = client as unknown as WatchedClient;
  if (typeof target._getActiveQuery !== 'function') {
    // Another node-postgres than the one this reads: unwatched rather than a timer that throws.
    return;
  }
  watched.set(target, { stallMs, waitingOn: undefined, since: 0 });
  target.once('end', () => watched.delete(target));
  if (!timer) {
    timer = setInterval(checkReplies, CHECK_EVERY_MS);
    timer.unref();
  }
}

function checkReplies(): void {
  const now = Date.now();
  for (const [client, watch] of watched) {
    const active = client._getActiveQuery();
    if (!active) {
      watch.waitingOn = undefined;
    } else if (active !== watch.waitingOn) {
      watch.waitingOn = active;
      watch.since = now;
    } else if (now - watch.since >= watch.stallMs) {
      watched.delete(client);
      // "Connection terminated": what pg says of a connection lost, and how failures read it.
      client.connection.stream.destroy(
        new Error(`Connection terminated: the database sent no reply for ${watch.stallMs} ms`),
      );
    }
  }
  if (watched.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}
