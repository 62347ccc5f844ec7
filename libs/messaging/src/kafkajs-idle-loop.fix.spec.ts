import { kafkajsRequestQueue } from './kafkajs-idle-loop.fix';

const queue = () =>
  new kafkajsRequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 1000,
    enforceRequestTimeout: true,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: { debug: () => undefined, warn: () => undefined, error: () => undefined },
  });

describe("kafkajs' request queue scheduler (fixed)", () => {
  it('arms no timer when nothing waits and nothing is throttled: an idle connection costs nothing', () => {
    const idle = queue();
    idle.checkPendingRequests();
    idle.scheduleCheckPendingRequests();
    const armed = idle.throttleCheckTimeoutId;
    // Unfixed, the timer re-arms itself every millisecond: stop it so a failure does not hang.
    if (armed) clearTimeout(armed);
    expect(armed).toBeNull();
  });

  it('still checks again soon while requests wait', () => {
    const busy = queue();
    busy.pending.push({});
    busy.scheduleCheckPendingRequests();
    expect(busy.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(busy.throttleCheckTimeoutId!);
  });

  it('still wakes up when a broker throttle ends', () => {
    const throttled = queue();
    throttled.throttledUntil = Date.now() + 1000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId!);
  });
});
