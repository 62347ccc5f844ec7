import { randomInt } from 'node:crypto';
import { isAxiosError } from 'axios';
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  CircuitState,
  ExponentialBackoff,
  handleWhen,
  noop,
  retry,
  SamplingBreaker,
  TaskCancelledError,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { AdaptiveLimit } from './adaptive-limit';
import { withDeadline } from './deadline';
import { DependencyUnavailableError, type UnavailableReason } from './dependency-unavailable.error';
import { resilienceMetrics, type CircuitStateName } from './resilience.metrics';

export interface ResilienceOptions {
  /** Name used in errors and logs, e.g. "payment". */
  dependency: string;
  /** Per attempt. A slow answer is treated as no answer. */
  timeoutMs: number;
  /** Extra attempts on a fast transient failure; only for idempotent calls. 0 disables. */
  retries: number;
  /**
   * The circuit opens when, over the last `breakerWindowMs`, at least `breakerMinimumCalls` calls
   * were made and more than `breakerFailureRate` (0-1) of them failed. A rate, not a run of
   * consecutive failures: a healthy-but-slow dependency whose latency tail crosses the timeout
   * keeps serving the calls it can, while a dead one is cut off after a handful of calls.
   */
  breakerFailureRate: number;
  breakerMinimumCalls: number;
  breakerWindowMs: number;
  /** How long the circuit stays open before one trial call may pass. */
  halfOpenAfterMs: number;
  /** Concurrent calls in flight, and how many may wait for a slot; beyond that, fail fast. */
  bulkheadLimit: number;
  bulkheadQueue: number;
  /**
   * While the adaptive limit is still finding the dependency's level (after a start, or after the
   * circuit was open), how long an admission beyond it may wait for a call to end instead of being
   * refused at once (see ResiliencePolicy.admit). 0 or absent: refused at once.
   */
  slowStartWaitMs?: number;
}

function isAbort(error: unknown): boolean {
  // With an aggressive timeout the callee sees its AbortSignal fire first and throws its own
  // cancellation error (axios: ERR_CANCELED) before cockatiel's TaskCancelledError surfaces.
  return (
    error instanceof TaskCancelledError ||
    (isAxiosError(error) && error.code === 'ERR_CANCELED') ||
    // DOMException is not an Error subclass on every Node version: check the name.
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError')
  );
}

/**
 * Answers that say the dependency cannot serve us, not that our request is wrong: it does not
 * accept our credentials (a rotated secret), the route is not there (a misrouted or half-deployed
 * service), it is throttling us or timed out. A rotated secret must open the circuit, not turn
 * every booking into a customer-facing "declined".
 */
const UNAVAILABLE_STATUSES = new Set([401, 403, 404, 407, 408, 421, 429]);

/** A failure that says nothing about the request itself: the dependency is slow, down or broken. */
export function isTransientFailure(error: unknown): boolean {
  if (isAbort(error)) {
    return true;
  }
  if (isAxiosError(error)) {
    const status = error.response?.status;
    return status === undefined || status >= 500 || UNAVAILABLE_STATUSES.has(status);
  }
  return false;
}

function isFastTransientFailure(error: unknown): boolean {
  return !isAbort(error) && isTransientFailure(error);
}

/**
 * Retry-After for a refusal because every slot is taken: 1 to 3 s, spread at random. A slot frees
 * within a call's duration, but the refused clients must not all come back in the same second: in
 * the bench's circuit-breaker scenario a fixed 1 s kept 90 refused clients in step, and each
 * second's herd queued behind itself (refusals at the door took up to 0.5 s) and delayed the
 * calls in flight into timeouts.
 */
function overloadedRetryAfter(): number {
  return randomInt(1, 4);
}

/** An admission waiting at the door for the slow start to let it in. */
interface Waiter {
  admitted(admission: Admission): void;
  refused(error: DependencyUnavailableError): void;
  timer: NodeJS.Timeout;
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A slot for one call, taken at the caller's door (see ResiliencePolicy.admit): the call made
 * later runs in it, so work done between the door and the call cannot be wasted on a bulkhead
 * that filled up meanwhile.
 */
export interface Admission {
  /** Makes the call in the slot taken at the door (once). */
  execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Gives the slot back; always call it (in `finally`), whether or not a call was made. */
  release(): void;
}

/**
 * Timeout per attempt, a bounded retry of fast transient failures, a circuit breaker that stops
 * calling a dependency that keeps failing (and recovers by itself through a trial call), and a
 * bulkhead so a slow dependency cannot take every request of the caller down with it, with an
 * adaptive limit inside it (fewer calls at once while they fail; see AdaptiveLimit).
 * Other 4xx answers (400, 402, 409, 422) are business answers: they pass through untouched and
 * never trip the breaker.
 */
export class ResiliencePolicy {
  /** Breaker, retry and timeout: what a call goes through once it holds a bulkhead slot. */
  private readonly guarded: IPolicy;
  private readonly breaker;
  private readonly bulkhead;
  /** Calls let in at once: the bulkhead's size while calls succeed, fewer while they fail. */
  private readonly limit: AdaptiveLimit;
  /** Admissions beyond the limit during its slow start, waiting for a slot, first come first in. */
  private readonly waiting: Waiter[] = [];
  private openedAt = 0;

  constructor(private readonly options: ResilienceOptions) {
    this.breaker = circuitBreaker(handleWhen(isTransientFailure), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new SamplingBreaker({
        threshold: options.breakerFailureRate,
        duration: options.breakerWindowMs,
        // cockatiel counts "enough calls" as a rate over the window.
        minimumRps: options.breakerMinimumCalls / (options.breakerWindowMs / 1000),
      }),
    });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.limit.reset();
      // Nobody waits out an open circuit: the waiting are refused with its Retry-After now.
      this.admitWaiting();
    });
    this.breaker.onStateChange((state) => {
      resilienceMetrics.transition(options.dependency, STATE_NAMES[state]);
    });
    const retryPolicy =
      options.retries > 0
        ? retry(handleWhen(isFastTransientFailure), {
            maxAttempts: options.retries,
            backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 250 }),
          })
        : noop;
    this.bulkhead = bulkhead(options.bulkheadLimit, options.bulkheadQueue);
    // Never fewer than a few calls at once: enough for a trickle of traffic to show recovery. It
    // cuts at 0.6 of the breaker's failure rate: early enough to keep the circuit closed, late
    // enough that a dependency's own latency tail (some timeouts at any load) does not keep cutting.
    this.limit = new AdaptiveLimit(
      Math.min(options.bulkheadLimit, 4),
      options.bulkheadLimit,
      options.breakerFailureRate * 0.6,
    );
    // The timeout is each attempt's deadline (withDeadline, in attempt()), inside the retry.
    this.guarded = wrap(this.breaker, retryPolicy);
    resilienceMetrics.register({
      dependency: options.dependency,
      circuitState: () => this.circuitState,
      bulkheadActive: () => options.bulkheadLimit - this.bulkhead.executionSlots,
      bulkheadQueued: () => options.bulkheadQueue - this.bulkhead.queueSlots + this.waiting.length,
      admissionLimit: () => this.limit.limit,
    });
  }

  get circuitState(): CircuitStateName {
    return STATE_NAMES[this.breaker.state];
  }

  /**
   * The refusal a call would meet right now, without making one: the circuit is open and not yet
   * due for its trial call, a trial call is in flight (half-open), or the bulkhead and its queue
   * (or the adaptive limit below them) are full. Undefined when a call would be attempted.
   */
  private refusalIfAny(): DependencyUnavailableError | undefined {
    const state = this.breaker.state;
    const openForMs = this.options.halfOpenAfterMs - (Date.now() - this.openedAt);
    if ((state === CircuitState.Open && openForMs > 0) || state === CircuitState.HalfOpen) {
      return new DependencyUnavailableError(
        this.options.dependency,
        'circuit-open',
        Math.max(1, Math.ceil(Math.max(openForMs, 0) / 1000)),
      );
    }
    if (state === CircuitState.Isolated) {
      return new DependencyUnavailableError(this.options.dependency, 'circuit-open', 1);
    }
    return this.overloaded();
  }

  private overloaded(): DependencyUnavailableError | undefined {
    const full = this.bulkhead.executionSlots === 0 && this.bulkhead.queueSlots === 0;
    // Below its ceiling the adaptive limit refuses what it does not let in; at the ceiling the
    // bulkhead decides, its queue included.
    const inFlight = this.options.bulkheadLimit - this.bulkhead.executionSlots;
    const overLimit = this.limit.limit < this.options.bulkheadLimit && inFlight >= this.limit.limit;
    return full || overLimit
      ? new DependencyUnavailableError(this.options.dependency, 'overloaded', overloadedRetryAfter())
      : undefined;
  }

  /**
   * Takes a bulkhead slot (or a place in its queue), or rejects with the refusal a call would meet
   * (DependencyUnavailableError, counted as a fallback, not as a call). A caller that must do work
   * of its own before the call (write a row, ask another service) admits first: under overload
   * the refused requests then cost nothing, and an admitted one is never refused after its work.
   *
   * Beyond the adaptive limit during its slow start, an admission waits up to `slowStartWaitMs`
   * for a call to end (each success lets one more in) before it is refused: there the limit only
   * says that few answers have been seen yet, and a burst of requests just after a start would
   * otherwise be refused while the dependency is idle and healthy (measured: 7 to 14 of 30 at
   * once, through the gateway, after booking started). Over a cut or an open circuit the
   * dependency is struggling, and the refusal comes at once, as does the waiting's.
   */
  async admit(): Promise<Admission> {
    const refusal = this.refusalIfAny();
    if (refusal === undefined) {
      return this.takeSlot();
    }
    if (refusal.reason === 'overloaded' && this.mayWait()) {
      return new Promise<Admission>((admitted, refused) => {
        const waiter: Waiter = {
          admitted,
          refused,
          timer: setTimeout(() => {
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            this.refuseWaiter(waiter, refusal);
          }, this.options.slowStartWaitMs),
        };
        this.waiting.push(waiter);
      });
    }
    resilienceMetrics.unavailable(this.options.dependency, refusal.reason, false);
    throw refusal;
  }

  /** Waiting is for the slow start, and only as many as the bulkhead could take at all. */
  private mayWait(): boolean {
    const inFlight = this.options.bulkheadLimit - this.bulkhead.executionSlots;
    return (
      (this.options.slowStartWaitMs ?? 0) > 0 &&
      this.limit.findingLevel &&
      inFlight + this.waiting.length < this.options.bulkheadLimit
    );
  }

  /** A slot freed (or the circuit opened): lets the waiting in while the limit allows, in order. */
  private admitWaiting(): void {
    while (this.waiting.length > 0) {
      const refusal = this.refusalIfAny();
      if (refusal === undefined) {
        const waiter = this.waiting.shift()!;
        clearTimeout(waiter.timer);
        waiter.admitted(this.takeSlot());
        continue;
      }
      if (refusal.reason === 'overloaded' && this.limit.findingLevel) {
        return;
      }
      // The limit was cut, or the circuit opened: calls are failing, and waiting longer helps no one.
      for (const waiter of this.waiting.splice(0)) {
        clearTimeout(waiter.timer);
        this.refuseWaiter(waiter, refusal);
      }
    }
  }

  private refuseWaiter(waiter: Waiter, refusal: DependencyUnavailableError): void {
    resilienceMetrics.unavailable(this.options.dependency, refusal.reason, false);
    // Each its own error (and Retry-After, when the bulkhead is full), as if refused at once.
    waiter.refused(
      refusal.reason === 'overloaded'
        ? new DependencyUnavailableError(this.options.dependency, 'overloaded', overloadedRetryAfter())
        : refusal,
    );
  }

  /** Takes a bulkhead slot (or a place in its queue) for one admission, synchronously. */
  private takeSlot(): Admission {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    let refused!: (error: unknown) => void;
    const inSlot = new Promise<void>((resolve, reject) => {
      entered = resolve;
      refused = reject;
    });
    // The slot is held by a task that ends when the admission is released. cockatiel's bulkhead
    // counts the task synchronously, so the next door check already sees the slot taken.
    this.bulkhead
      .execute(() => {
        entered();
        return released;
      })
      // The slot is free again (cockatiel counts it before its promise settles): the next waiting.
      .finally(() => this.admitWaiting())
      .catch(refused);
    // Seen by the call if one is made; a released admission that made none has nothing to report.
    inSlot.catch(() => undefined);
    let used = false;
    return {
      execute: <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
        if (used) {
          throw new Error(`An admission to ${this.options.dependency} makes one call`);
        }
        used = true;
        return this.run(() => inSlot.then(() => this.attempt(call)));
      },
      release,
    };
  }

  /** Runs `call`; dependency failures come out as DependencyUnavailableError, 4xx as they were. */
  execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.run(() => {
      const overloaded = this.overloaded();
      if (overloaded) {
        throw overloaded;
      }
      return this.bulkhead.execute(() => this.attempt(call));
    });
  }

  /** The call through breaker and retry, each attempt within its deadline. */
  private attempt<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // A signal of the call's own: without one, cockatiel hands every call one signal shared by the
    // whole process, and each deadline listening to it while more than 10 calls were in flight
    // made Node warn of an EventTarget memory leak in the log (an unstructured line; no leak: each
    // listener is removed when its call ends).
    return this.guarded.execute(
      ({ signal }) => withDeadline(this.options.timeoutMs, signal, call),
      new AbortController().signal,
    );
  }

  private async run<T>(attempt: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    try {
      const answer = await attempt();
      resilienceMetrics.answered(this.options.dependency);
      this.limit.record(false, startedAt);
      return answer;
    } catch (error) {
      const translated = this.translate(error);
      if (translated instanceof DependencyUnavailableError) {
        resilienceMetrics.unavailable(this.options.dependency, translated.reason, true);
        // Refusals without a call (circuit open, limit reached) say nothing of how calls go.
        if (translated.reason !== 'circuit-open' && translated.reason !== 'overloaded') {
          this.limit.record(true, startedAt);
        }
      } else {
        resilienceMetrics.answered(this.options.dependency);
        this.limit.record(false, startedAt);
      }
      throw translated;
    }
  }

  private translate(error: unknown): unknown {
    const unavailable = (reason: UnavailableReason, retryAfterSeconds: number) =>
      new DependencyUnavailableError(this.options.dependency, reason, retryAfterSeconds, error);
    if (error instanceof BrokenCircuitError) {
      const remainingMs = this.options.halfOpenAfterMs - (Date.now() - this.openedAt);
      return unavailable('circuit-open', Math.max(1, Math.ceil(remainingMs / 1000)));
    }
    if (error instanceof BulkheadRejectedError) {
      return unavailable('overloaded', overloadedRetryAfter());
    }
    if (isAbort(error)) {
      return unavailable('timeout', 1);
    }
    if (isAxiosError(error) && !error.response) {
      return unavailable('unreachable', Math.max(1, Math.ceil(this.options.halfOpenAfterMs / 1000)));
    }
    if (isTransientFailure(error)) {
      return unavailable('upstream-error', 1);
    }
    return error;
  }
}
