import { AxiosError, AxiosHeaders } from 'axios';
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
    expect(policy.refusalNow()).toBeUndefined();
    for (let i = 0; i < 3; i += 1) {
      await failure(policy.execute(slow));
    }
    const refusal = policy.refusalNow();
    expect(refusal).toBeInstanceOf(DependencyUnavailableError);
    expect(refusal?.reason).toBe('circuit-open');
    expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Asking is not calling: the circuit stays as it was and recovers on its own schedule.
    expect(policy.circuitState).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(policy.refusalNow()).toBeUndefined();
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(policy.refusalNow()).toBeUndefined();
  });

  it('says at the door that the bulkhead is full, and lets calls in again once a slot frees', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = [policy.execute(() => gate), policy.execute(() => gate)];
    expect(policy.refusalNow()?.reason).toBe('overloaded');
    // The refused are told to come back within 1 to 3 s, spread, so they do not return as one herd.
    const retryAfters = new Set(Array.from({ length: 200 }, () => policy.refusalNow()?.retryAfterSeconds));
    expect([...retryAfters].sort()).toEqual([1, 2, 3]);
    release();
    await Promise.all(running);
    expect(policy.refusalNow()).toBeUndefined();
  });

  it('admits at the door by taking a slot, so the slot is still there when the call is made', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    const first = policy.admit();
    const second = policy.admit();
    // Both slots are taken before either call: the third is refused at the door, not after its work.
    const refused = (() => {
      try {
        policy.admit();
      } catch (error) {
        return error as DependencyUnavailableError;
      }
      return undefined;
    })();
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
    expect(policy.refusalNow()).toBeUndefined();
  });

  it('frees an admitted slot that never made its call once released, and makes one call per admission', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000 });
    const unused = policy.admit();
    const used = policy.admit();
    expect(policy.refusalNow()?.reason).toBe('overloaded');
    unused.release();
    unused.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(policy.refusalNow()).toBeUndefined();
    await used.execute(() => Promise.resolve('once'));
    expect(() => used.execute(() => Promise.resolve('twice'))).toThrow(/one call/);
    used.release();
  });

  it('times out and opens the circuit for admitted calls as for any other', async () => {
    const policy = new ResiliencePolicy({ ...options, retries: 0, bulkheadLimit: 10 });
    for (let i = 0; i < options.breakerMinimumCalls; i += 1) {
      const admission = policy.admit();
      const error = (await failure(admission.execute(slow))) as DependencyUnavailableError;
      admission.release();
      expect(error.reason).toBe('timeout');
    }
    expect(policy.circuitState).toBe('open');
    expect(() => policy.admit()).toThrow(DependencyUnavailableError);
  });

  it('starts from a few calls at once, and lets fewer in while calls fail, before the circuit has to open', async () => {
    const policy = new ResiliencePolicy({
      ...options,
      retries: 0,
      bulkheadLimit: 8,
      breakerMinimumCalls: 1000,
    });
    const holdAll = () => {
      const held = [];
      for (;;) {
        try {
          held.push(policy.admit());
        } catch {
          return held;
        }
      }
    };
    // A fresh policy lets in its floor (4) at once, and one more call per success up to the bulkhead.
    const fresh = holdAll();
    expect(fresh).toHaveLength(4);
    fresh.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 4; i += 1) {
      await policy.execute(() => Promise.resolve('answered'));
    }
    const before = holdAll();
    expect(before).toHaveLength(8);
    before.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));

    const fail = () => failure(policy.execute(() => Promise.reject(httpError(503))));
    // Six failures are not yet a failure rate over 0.3 (0.6 of the breaker's 0.5) of about the
    // last 20 calls; the seventh is.
    for (let i = 0; i < 6; i += 1) {
      await fail();
    }
    const stillAll = holdAll();
    expect(stillAll).toHaveLength(8);
    stillAll.forEach((admission) => admission.release());
    await new Promise((resolve) => setImmediate(resolve));

    await fail();
    expect(policy.circuitState).toBe('closed');
    const cut = holdAll();
    expect(cut).toHaveLength(6);
    cut.forEach((admission) => admission.release());
  });

  it('queues a call while every slot is taken and its queue has room, as configured', async () => {
    const policy = new ResiliencePolicy({ ...options, timeoutMs: 1000, bulkheadLimit: 1, bulkheadQueue: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = policy.execute(() => gate.then(() => 'first'));
    expect(policy.refusalNow()).toBeUndefined();
    const queued = policy.execute(() => Promise.resolve('queued'));
    expect(policy.refusalNow()?.reason).toBe('overloaded');
    release();
    await expect(Promise.all([running, queued])).resolves.toEqual(['first', 'queued']);
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
    reasons.push(policy.refusalNow()!.reason);
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
