/** Operations with a refusal held at once before expired ones are swept (a handful in practice). */
const SWEEP_ABOVE = 64;

export interface HeldRefusal<Body> {
  /** The service's answer as it sent it. */
  readonly body: Body;
  /** Seconds to wait before retrying, from the service's Retry-After. */
  readonly retryAfterS?: number;
}

interface Held<Body> {
  readonly until: number;
  readonly body: Body;
  /** The moment the service's Retry-After pointed at. */
  readonly retryAt?: number;
}

/**
 * Refusals a service said hold for every request of an operation for a while (EDGE_HOLD_HEADER):
 * under a flood of bookings while payment's circuit is open or its slots are full, the gateway
 * gives booking's 503 itself instead of passing each request on to be refused. An operation is
 * "METHOD upstream path"; times are the caller's clock in ms, so tests need no timers.
 */
export class HeldRefusals<Body> {
  private readonly held = new Map<string, Held<Body>>();

  /** `maxHoldMs`: the longest a refusal is held, whatever the service asks for (0: never). */
  constructor(private readonly maxHoldMs: number) {}

  /** Keeps the service's refusal for `holdMs` (at most `maxHoldMs`) from `now`. */
  hold(operation: string, holdMs: number, refusal: HeldRefusal<Body>, now: number): void {
    const ms = Math.min(holdMs, this.maxHoldMs);
    if (!(ms > 0)) {
      return;
    }
    if (this.held.size >= SWEEP_ABOVE) {
      for (const [key, entry] of this.held) {
        if (entry.until <= now) this.held.delete(key);
      }
    }
    this.held.set(operation, {
      until: now + ms,
      body: refusal.body,
      retryAt: refusal.retryAfterS === undefined ? undefined : now + refusal.retryAfterS * 1000,
    });
  }

  /** The refusal holding for `operation` at `now`, if any. */
  refusal(operation: string, now: number): HeldRefusal<Body> | undefined {
    // Nearly always empty: nothing held, nothing to look up.
    if (this.held.size === 0) {
      return undefined;
    }
    const held = this.held.get(operation);
    if (held === undefined) {
      return undefined;
    }
    if (now >= held.until) {
      this.held.delete(operation);
      return undefined;
    }
    return {
      body: held.body,
      // The moment the service named, not its number: "retry in 3 s" said 2.5 s ago is "in 1 s".
      retryAfterS:
        held.retryAt === undefined ? undefined : Math.max(1, Math.ceil((held.retryAt - now) / 1000)),
    };
  }
}
