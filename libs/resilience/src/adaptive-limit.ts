/**
 * How many calls a caller lets through its door at once, adapted to how the dependency copes:
 * additive increase while calls succeed, multiplicative decrease when the recent failure rate
 * climbs past `cutAboveFailureRate` (below the breaker's threshold), at most once per call
 * duration. It acts before the circuit breaker has to: a slow dependency whose failures come from
 * being sent too much at once (a burst of calls on a saturated box) is sent less, instead of being
 * cut off entirely and then flooded again when the circuit closes. While calls succeed it grows to
 * its ceiling and stays there, so a healthy dependency is not limited below the bulkhead. When the
 * caller starts, and after the circuit has been open, it starts from its floor and grows by one
 * call per success (a slow start, as TCP's) until the first cut: a process that has not yet seen
 * the dependency answer does not send it a full bulkhead at once (measured in the bench's
 * circuit-breaker scenario: 100 clients at a fresh booking sent 50 slow charges at once, all 50
 * timed out, and the circuit opened for its first 5 s).
 */
export class AdaptiveLimit {
  private current: number;
  /** Share of recent calls that failed, as a moving average over about the last 20 calls. */
  private failureRate = 0;
  private lastCutAt: number;
  /** After a reset or a start: one more call per success (doubling per round) until the first cut. */
  private slowStart = true;

  private static readonly SMOOTHING = 1 / 20;
  private static readonly CUT = 0.75;

  constructor(
    private readonly floor: number,
    private readonly ceiling: number,
    private readonly cutAboveFailureRate: number,
    now = Date.now(),
  ) {
    this.current = floor;
    this.lastCutAt = now;
  }

  /** Whole calls allowed in flight now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /**
   * Still finding the dependency's level (the slow start): the limit says how little has been
   * seen yet, not that the dependency is struggling. Over a cut, it is.
   */
  get findingLevel(): boolean {
    return this.slowStart && this.current < this.ceiling;
  }

  /**
   * The circuit opened: whatever was sent was too much. Start again from the floor when it closes,
   * rather than with the burst that broke it.
   */
  reset(now = Date.now()): void {
    this.current = this.floor;
    this.failureRate = 0;
    this.lastCutAt = now;
    this.slowStart = true;
  }

  /** A call that started at `startedAt` (ms epoch) ended: failed = no usable answer in time. */
  record(failed: boolean, startedAt: number, now = Date.now()): void {
    this.failureRate += AdaptiveLimit.SMOOTHING * ((failed ? 1 : 0) - this.failureRate);
    if (!failed) {
      // About one more call in flight per round trip's worth of successes; twice as many per
      // round while finding the level again after the circuit has been open.
      this.current = Math.min(this.ceiling, this.current + (this.slowStart ? 1 : 1 / this.current));
      return;
    }
    // One cut per round: the calls of one burst that fail together were all sent under the old limit.
    if (this.failureRate > this.cutAboveFailureRate && startedAt >= this.lastCutAt) {
      this.current = Math.max(this.floor, this.current * AdaptiveLimit.CUT);
      this.lastCutAt = now;
      this.slowStart = false;
    }
  }
}
