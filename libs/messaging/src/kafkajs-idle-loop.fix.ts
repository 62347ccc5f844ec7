import { createRequire } from 'node:module';

/** What kafkajs' RequestQueue keeps that its scheduler reads (src/network/requestQueue). */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/**
 * kafkajs 2.2.4's scheduler, fixed. It arms a timer after every request and every check, also
 * when nothing waits and nothing is throttled; the delay is then negative, so Node fires it after
 * 1 ms, and the check re-arms it: a 1 ms timer per broker connection, forever
 * (tulios/kafkajs#1556, #1604, #1704; the fix of #1667 was never released). Each idle service
 * spent about 4 % of a core on it, and its share of every booking's CPU under load. Fixed, the
 * timer is armed only while requests wait or the broker throttles us.
 */
function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) {
    return;
  }
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (scheduleAt <= 0) {
    // Nothing waits and nothing is throttled: the next request schedules what it needs.
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

const requireKafkajs = createRequire(require.resolve('kafkajs'));

/** The kafkajs release the fix was written against; another one is left as it is. */
export const KAFKAJS_FIXED_VERSION = '2.2.4';

export const kafkajsRequestQueue = requireKafkajs('./src/network/requestQueue') as new (
  options: Record<string, unknown>,
) => RequestQueueInternals;

const { version } = requireKafkajs('./package.json') as { version: string };
if (version === KAFKAJS_FIXED_VERSION) {
  (kafkajsRequestQueue.prototype as RequestQueueInternals).scheduleCheckPendingRequests =
    scheduleCheckPendingRequests;
}
