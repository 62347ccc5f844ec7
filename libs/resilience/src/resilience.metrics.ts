import { counter, gauge } from '@storage/observability';

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';
export const CIRCUIT_STATES: readonly CircuitStateName[] = ['closed', 'open', 'half-open', 'isolated'];

/** What a policy exposes for the scrape-time gauges. */
export interface PolicyGauges {
  dependency: string;
  circuitState(): CircuitStateName;
  bulkheadActive(): number;
  bulkheadQueued(): number;
  /** Calls the adaptive limit lets in at once right now (the bulkhead limit while calls succeed). */
  admissionLimit(): number;
}

const policies = new Map<string, PolicyGauges>();

gauge<'dependency' | 'state'>({
  name: 'resilience_circuit_state',
  help: "1 for the circuit's current state, 0 for the others, per dependency",
  labelNames: ['dependency', 'state'],
  collect() {
    for (const policy of policies.values()) {
      const now = policy.circuitState();
      for (const state of CIRCUIT_STATES) {
        this.set({ dependency: policy.dependency, state }, state === now ? 1 : 0);
      }
    }
  },
});
gauge<'dependency'>({
  name: 'resilience_bulkhead_active_calls',
  help: 'Calls in flight to the dependency (at most the bulkhead limit)',
  labelNames: ['dependency'],
  collect() {
    for (const policy of policies.values()) {
      this.set({ dependency: policy.dependency }, policy.bulkheadActive());
    }
  },
});
gauge<'dependency'>({
  name: 'resilience_bulkhead_queued_calls',
  help: 'Calls waiting for a bulkhead slot',
  labelNames: ['dependency'],
  collect() {
    for (const policy of policies.values()) {
      this.set({ dependency: policy.dependency }, policy.bulkheadQueued());
    }
  },
});
gauge<'dependency'>({
  name: 'resilience_adaptive_limit',
  help: 'Calls the adaptive limit lets through at once now: the bulkhead limit while calls succeed, less after failures or an open circuit',
  labelNames: ['dependency'],
  collect() {
    for (const policy of policies.values()) {
      this.set({ dependency: policy.dependency }, policy.admissionLimit());
    }
  },
});
const transitions = counter<'dependency' | 'to'>({
  name: 'resilience_circuit_transitions_total',
  help: 'Circuit state changes, by the state entered',
  labelNames: ['dependency', 'to'],
});
const calls = counter<'dependency' | 'outcome'>({
  name: 'resilience_calls_total',
  help: 'Calls through the policy: answered (success or a business answer such as 402) or unavailable',
  labelNames: ['dependency', 'outcome'],
});
const fallbacks = counter<'dependency' | 'reason'>({
  name: 'resilience_fallbacks_total',
  help: "Times the caller got the dependency's fallback instead of an answer, by reason (circuit-open, overloaded, timeout, unreachable, upstream-error)",
  labelNames: ['dependency', 'reason'],
});

export const resilienceMetrics = {
  /** The last policy registered for a dependency is the one reported. */
  register(policy: PolicyGauges): void {
    policies.set(policy.dependency, policy);
  },
  transition(dependency: string, to: CircuitStateName): void {
    transitions.inc({ dependency, to });
  },
  answered(dependency: string): void {
    calls.inc({ dependency, outcome: 'answered' });
  },
  unavailable(dependency: string, reason: string, attempted: boolean): void {
    if (attempted) {
      calls.inc({ dependency, outcome: 'unavailable' });
    }
    fallbacks.inc({ dependency, reason });
  },
};
