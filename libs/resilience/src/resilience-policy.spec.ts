import { getEventListeners } from 'node:events';
import { AxiosError, AxiosHeaders } from 'axios';
// The signal cockatiel hands a call when its caller gives none (not part of its public API).
import { neverAbortedSignal } from 'cockatiel/dist/common/abort';
import { DependencyUnavailableError } from './dependency-unavailable.error';
import { metricsRegistry } from '@storage/observability';
import { ResiliencePolicy } from './resilience-policy';

const options = {
  dependency: 'payment',
  timeoutMs: 50,
  retries: 1,
  breakerFailureRate: 0.5,
  breakerMinimumCalls: 3,
  breakerWindowMs: 10_000,
  halfOpenAfterMs: 200,
  bulkheadLimit: 2,
  bulkheadQueue: 0,
};

function httpError(status: number | undefined): AxiosError {
  const config = { headers: new AxiosHeaders() };
  return new AxiosError(
    'request failed',
    status ? 'ERR_BAD_RESPONSE' : 'ECONNREFUSED',
    config,
    undefined,
    status ? { status, statusText: '', headers: {}, config, data: {} } : undefined,
  );
}

const slow = (signal: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve('late'), 1000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });

/**
 * What the door says to a caller right now: the refusal an admission meets, or nothing (the slot
 * it took is given back, and free again once this returns).
 */
async function doorSays(policy: ResiliencePolicy): Promise<DependencyUnavailableError | undefined> {
  let admission;
  try {
    admission = await policy.admit();
  } catch (error) {
    if (error instanceof DependencyUnavailableError) {
      return error;
    }
    throw error;
  }
  admission.release();
  await new Promise((resolve) => setImmediate(resolve));
  return undefined;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('ResiliencePolicy', () => {
  it.each([401, 403, 404, 429])(
    'treats HTTP %i as the dependency being unavailable, and it opens the circuit',
    async (status) => {
      const policy = new ResiliencePolicy({ ...options, retries: 0 });
      for (let i = 0; i < options.breakerMinimumCalls; i += 1) {
        const error = await failure(policy.execute(() => Promise.reject(httpError(status))));
        expect(error).toBeInstanceOf(DependencyUnavailableError);
      }
      expect(policy.circuitState).toBe('open');
    },
  );

  it.each([400, 402, 409, 422])(
    'passes the business answer HTTP %i through without tripping the breaker',
    async (status) => {
      const policy = new ResiliencePolicy({ ...options, retries: 0 });
      for (let i = 0; i < options.breakerMinimumCalls + 1; i += 1) {
        const error = await failure(policy.execute(() => Promise.reject(httpError(status))));
        expect((error as AxiosError).response?.status).toBe(status);
      }
      expect(policy.circuitState).toBe('closed');
    },
  );

  it('turns a slow call into a timeout, whichever error the callee throws on abort', async () => {
    const policy = new ResiliencePolicy(options);
    const error = await failure(policy.execute(slow));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).reason).toBe('timeout');
  });

  it('retries a fast transient failure once', async () => {
    const policy = new ResiliencePolicy(options);
    let calls = 0;
    const result = await policy.execute(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(httpError(503)) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(calls).toBe(2);
  });

  it('passes business answers (4xx) through without retry or breaking', async () => {
    const policy = new ResiliencePolicy(options);
    let calls = 0;
    for (let i = 0; i < 5; i += 1) {
      const error = await failure(
        policy.execute(() => {
          calls += 1;
          return Promise.reject(httpError(409));
        }),
      );
      expect(error).toBeInstanceOf(AxiosError);
    }
    expect(calls).toBe(5);
    expect(policy.circuitState).toBe('closed');
  });

  it('stays closed for a slow dependency whose latency tail times out: it serves most calls', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0 });
    // One call in three times out, twelve times over: a run of consecutive failures never
    // reaches the failure rate, so the circuit never starves a dependency that mostly answers.
    for (let i = 0; i < 12; i += 1) {
      if (i % 3 === 2) {
        await failure(policy.execute(slow));
      } else {
        await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
      }
      expect(policy.circuitState).toBe('closed');
    }
  });

  it('opens once failures outnumber successes over enough calls', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0 });
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    for (let i = 0; i < 2; i += 1) {
      await failure(policy.execute(() => Promise.reject(httpError(503))));
      expect(policy.circuitState).toBe('closed');
    }
    // Three failures of five calls: more than half.
    await failure(policy.execute(() => Promise.reject(httpError(503))));
    expect(policy.circuitState).toBe('open');
  });

  it('does not open on fewer calls than its minimum, however they went', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0, breakerMinimumCalls: 4 });
    for (let i = 0; i < 3; i += 1) {
      await failure(policy.execute(() => Promise.reject(httpError(503))));
    }
    expect(policy.circuitState).toBe('closed');
    await failure(policy.execute(() => Promise.reject(httpError(503))));
    expect(policy.circuitState).toBe('open');
  });

  it('opens when every call fails, fails fast with Retry-After, and recovers by itself', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0 });
    for (let i = 0; i < 3; i += 1) {
      await failure(policy.execute(slow));
    }
    expect(policy.circuitState).toBe('open');
    const started = Date.now();
    const open = (await failure(
      policy.execute(() => Promise.resolve('never called')),
    )) as DependencyUnavailableError;
    expect(Date.now() - started).toBeLessThan(20);
    expect(open.reason).toBe('circuit-open');
    expect(open.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(policy.circuitState).toBe('closed');
  });

  it('says at the door, without a call, that a call would be refused: circuit open, then due a trial', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0 });
    expect(await doorSays(policy)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) {
      await failure(policy.execute(slow));
    }
    const refusal = await doorSays(policy);
    expect(refusal).toBeInstanceOf(DependencyUnavailableError);
    expect(refusal?.reason).toBe('circuit-open');
    expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Asking is not calling: the circuit stays as it was and recovers on its own schedule.
    expect(policy.circuitState).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await doorSays(policy)).toBeUndefined();
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(await doorSays(policy)).toBeUndefined();
  });

  it('says at the door that the bulkhead is full, and lets calls in again once a slot frees', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = [policy.execute(() => gate), policy.execute(() => gate)];
    expect((await doorSays(policy))?.reason).toBe('overloaded');
    // The refused are told to come back within 1 to 3 s, spread, so they do not return as one herd.
    const retryAfters = new Set<number | undefined>();
    for (let i = 0; i < 200; i += 1) {
      retryAfters.add((await doorSays(policy))?.retryAfterSeconds);
    }
    expect([...retryAfters].sort()).toEqual([1, 2, 3]);
    release();
    await Promise.all(running);
    expect(await doorSays(policy)).toBeUndefined();
  });

  it('admits at the door by taking a slot, so the slot is still there when the call is made', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    const first = await policy.admit();
    const second = await policy.admit();
    // Both slots are taken before either call: the third is refused at the door, not after its work.
    const refused = (await failure(policy.admit())) as DependencyUnavailableError;
    expect(refused).toBeInstanceOf(DependencyUnavailableError);
    expect(refused?.reason).toBe('overloaded');
    // Neither can a plain call slip in between a door check and its call.
    expect(
      ((await failure(policy.execute(() => Promise.resolve()))) as DependencyUnavailableError).reason,
    ).toBe('overloaded');

    await expect(first.execute(() => Promise.resolve('charged'))).resolves.toBe('charged');
    await expect(second.execute(() => Promise.reject(httpError(402)))).rejects.toBeInstanceOf(AxiosError);
    first.release();
    second.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await doorSays(policy)).toBeUndefined();
  });

  it('frees an admitted slot that never made its call once released, and makes one call per admission', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    const unused = await policy.admit();
    const used = await policy.admit();
    expect((await doorSays(policy))?.reason).toBe('overloaded');
    unused.release();
    unused.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await doorSays(policy)).toBeUndefined();
    await used.execute(() => Promise.resolve('once'));
    expect(() => used.execute(() => Promise.resolve('twice'))).toThrow(/one call/);
    used.release();
  });

  it('times out and opens the circuit for admitted calls as for any other', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0, bulkheadLimit: 10 });
    for (let i = 0; i < options.breakerMinimumCalls; i += 1) {
      const admission = await policy.admit();
      const error = (await failure(admission.execute(slow))) as DependencyUnavailableError;
      admission.release();
      expect(error.reason).toBe('timeout');
    }
    expect(policy.circuitState).toBe('open');
    await expect(policy.admit()).rejects.toThrow(DependencyUnavailableError);
  });

  it('starts from a few calls at once, and lets fewer in while calls fail, before the circuit has to open', async () => {
    const policy = new ResiliencePolicy({
      ...options,
      retries: 0,
      bulkheadLimit: 8,
      breakerMinimumCalls: 1000,
    });
    const holdAll = async () => {
      const held = [];
      for (;;) {
        try {
          held.push(await policy.admit());
        } catch {
          return held;
        }
      }
    };
    // A fresh policy lets in its floor (4) at once, and one more call per success up to the bulkhead.
    const fresh = await holdAll();
    expect(fresh).toHaveLength(4);
    fresh.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 4; i += 1) {
      await policy.execute(() => Promise.resolve('answered'));
    }
    const before = await holdAll();
    expect(before).toHaveLength(8);
    before.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));

    const fail = () => failure(policy.execute(() => Promise.reject(httpError(503))));
    // Six failures are not yet a failure rate over 0.3 (0.6 of the breaker's 0.5) of about the
    // last 20 calls; the seventh is.
    for (let i = 0; i < 6; i += 1) {
      await fail();
    }
    const stillAll = await holdAll();
    expect(stillAll).toHaveLength(8);
    stillAll.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));

    await fail();
    expect(policy.circuitState).toBe('closed');
    const cut = await holdAll();
    expect(cut).toHaveLength(6);
    cut.forEach((admission) => admission.release());
  });

  describe('during the slow start', () => {
    const waiting = { ...options, retries: 0, timeoutMs: 1000, bulkheadLimit: 50, slowStartWaitMs: 60_000 };
    /** An admission looked at later: a refusal meanwhile is the test's finding, not an unhandled rejection. */
    const admitting = (policy: ResiliencePolicy) => {
      const admission = policy.admit();
      admission.catch(() => undefined);
      return admission;
    };
    /** Settles when the promise does, or says it is still pending once the pending I/O has run. */
    const stateOf = (promise: Promise<unknown>) =>
      Promise.race([
        promise.then(
          () => 'admitted',
          (error: DependencyUnavailableError) => `refused: ${error.reason}`,
        ),
        new Promise((resolve) => setImmediate(() => resolve('waiting'))),
      ]);

    it('lets a burst beyond the limit wait and come in as calls end, refusing none while calls succeed', async () => {
      const policy = new ResiliencePolicy(waiting);
      let inFlight = 0;
      let startedBeforeFirstEnd = 0;
      let ended = 0;
      const book = async () => {
        const admission = await policy.admit();
        try {
          return await admission.execute(async () => {
            inFlight += 1;
            if (ended === 0) startedBeforeFirstEnd += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            inFlight -= 1;
            ended += 1;
            return 'charged';
          });
        } finally {
          admission.release();
        }
      };
      const answers = await Promise.all(Array.from({ length: 30 }, book));
      expect(answers).toEqual(Array.from({ length: 30 }, () => 'charged'));
      // Payment was still sent 4 calls at first, not the burst: the slow start itself is unchanged.
      expect(startedBeforeFirstEnd).toBe(4);
      expect(inFlight).toBe(0);
    });

    it('lets the waiting in first come, first served, as slots free', async () => {
      const policy = new ResiliencePolicy(waiting);
      const held = await Promise.all(Array.from({ length: 4 }, () => policy.admit()));
      const first = admitting(policy);
      const second = admitting(policy);
      expect(await stateOf(first)).toBe('waiting');
      held[0].release();
      expect(await stateOf(first)).toBe('admitted');
      expect(await stateOf(second)).toBe('waiting');
      held[1].release();
      expect(await stateOf(second)).toBe('admitted');
      for (const admission of [...held.slice(2), await first, await second]) admission.release();
    });

    it('refuses a waiting admission when no slot frees in time, as if refused at the door', async () => {
      const policy = new ResiliencePolicy({ ...waiting, slowStartWaitMs: 20 });
      const held = await Promise.all(Array.from({ length: 4 }, () => policy.admit()));
      const refused = (await failure(policy.admit())) as DependencyUnavailableError;
      expect(refused).toBeInstanceOf(DependencyUnavailableError);
      expect(refused.reason).toBe('overloaded');
      expect([1, 2, 3]).toContain(refused.retryAfterSeconds);
      held.forEach((admission) => admission.release());
    });

    it('refuses the waiting at once when the circuit opens: nobody waits out an open circuit', async () => {
      const policy = new ResiliencePolicy({ ...waiting, breakerMinimumCalls: 1 });
      const held = await Promise.all(Array.from({ length: 4 }, () => policy.admit()));
      const waiter = policy.admit();
      expect(await stateOf(waiter)).toBe('waiting');
      // The circuit opens on this failure, before its slot is given back.
      await failure(held[0].execute(() => Promise.reject(httpError(503))));
      expect(policy.circuitState).toBe('open');
      expect(await stateOf(waiter)).toBe('refused: circuit-open');
      held.forEach((admission) => admission.release());
    });

    it('lets no more wait than the bulkhead could take, and none once calls have failed', async () => {
      const policy = new ResiliencePolicy({ ...waiting, bulkheadLimit: 6 });
      const held = await Promise.all(Array.from({ length: 4 }, () => policy.admit()));
      const waiters = [admitting(policy), admitting(policy)];
      // 4 in flight and 2 waiting fill the 6 slots: the next is refused at once.
      expect(await stateOf(policy.admit())).toBe('refused: overloaded');
      expect(await Promise.all(waiters.map(stateOf))).toEqual(['waiting', 'waiting']);
      held.forEach((admission) => admission.release());
      const admitted = await Promise.all(waiters);
      admitted.forEach((admission) => admission.release());

      // Failures enough to cut the limit end the slow start: beyond the limit is a refusal again.
      const failing = new ResiliencePolicy({ ...waiting, breakerMinimumCalls: 1000 });
      for (let i = 0; i < 10; i += 1) {
        const admission = await failing.admit();
        await failure(admission.execute(() => Promise.reject(httpError(503))));
        admission.release();
      }
      await new Promise((resolve) => setImmediate(resolve));
      const full = await Promise.all(Array.from({ length: 4 }, () => failing.admit()));
      expect(await stateOf(failing.admit())).toBe('refused: overloaded');
      full.forEach((admission) => admission.release());
    });
  });

  it('queues a call while every slot is taken and its queue has room, as configured', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000, bulkheadLimit: 1, bulkheadQueue: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = policy.execute(() => gate.then(() => 'first'));
    const queued = policy.execute(() => Promise.resolve('queued'));
    // The slot and the queue's one place are taken: the next is refused.
    expect((await doorSays(policy))?.reason).toBe('overloaded');
    release();
    await expect(Promise.all([running, queued])).resolves.toEqual(['first', 'queued']);
  });

  it('listens to no signal shared by every call: many calls at once make Node warn of no leak', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000, bulkheadLimit: 50 });
    // Past the slow start's 4 calls at once first: one more per answer.
    for (let i = 0; i < 20; i += 1) {
      await policy.execute(() => Promise.resolve('answered'));
    }
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls = Array.from({ length: 20 }, () => policy.execute(() => gate.then(() => 'answered')));
    // cockatiel's default signal is one for the whole process: over 10 listeners on it (one per
    // call in flight) and Node logs "Possible EventTarget memory leak detected".
    expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
    release();
    await expect(Promise.all(calls)).resolves.toHaveLength(20);
  });

  it('sheds load beyond its bulkhead', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = [policy.execute(() => gate), policy.execute(() => gate)];
    const shed = (await failure(policy.execute(() => Promise.resolve()))) as DependencyUnavailableError;
    expect(shed.reason).toBe('overloaded');
    release();
    await Promise.all(running);
  });
});

describe('ResiliencePolicy metrics', () => {
  const sample = async (name: string, labels: Record<string, string>) => {
    const metric = await metricsRegistry.getSingleMetric(name)?.get();
    return metric?.values.find((value) =>
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
    )?.value;
  };

  it('reports the circuit state, its transitions, answered calls and each fallback by reason', async () => {
    const dependency = 'metered';
    const policy = new ResiliencePolicy({ ...options, dependency, retries: 0 });
    await policy.execute(() => Promise.resolve('ok'));
    await failure(policy.execute(() => Promise.reject(httpError(402))));
    expect(await sample('resilience_calls_total', { dependency, outcome: 'answered' })).toBe(2);
    expect(await sample('resilience_circuit_state', { dependency, state: 'closed' })).toBe(1);

    const reasons: string[] = [];
    for (let i = 0; i < options.breakerMinimumCalls; i += 1) {
      const error = await failure(policy.execute(() => Promise.reject(httpError(503))));
      reasons.push((error as DependencyUnavailableError).reason);
    }
    expect(policy.circuitState).toBe('open');
    reasons.push((await doorSays(policy))!.reason);
    const count = (reason: string) => reasons.filter((given) => given === reason).length;
    expect(count('upstream-error')).toBeGreaterThanOrEqual(1);
    expect(await sample('resilience_circuit_state', { dependency, state: 'open' })).toBe(1);
    expect(await sample('resilience_circuit_state', { dependency, state: 'closed' })).toBe(0);
    expect(await sample('resilience_circuit_transitions_total', { dependency, to: 'open' })).toBe(1);
    expect(await sample('resilience_calls_total', { dependency, outcome: 'unavailable' })).toBe(3);
    // Every fallback the caller got, by its reason; the refusal at the door is one, not a call.
    expect(await sample('resilience_fallbacks_total', { dependency, reason: 'upstream-error' })).toBe(
      count('upstream-error'),
    );
    expect(await sample('resilience_fallbacks_total', { dependency, reason: 'circuit-open' })).toBe(
      count('circuit-open'),
    );
  });
});
