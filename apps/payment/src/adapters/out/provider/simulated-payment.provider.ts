import { PaymentProviderUnavailableError } from '../../../domain';
import {
  PaymentProvider,
  type ChargeDecision,
  type ChargeRequest,
} from '../../../application/ports/payment-provider.port';
import { declineReasonFor } from './simulated-decline.policy';

/** The provider's own record of what it charged per idempotency key. */
export interface ChargeLedger {
  recall(key: string): Promise<ChargeDecision | undefined>;
  /** Records the first decision for the key; returns the one that holds (an earlier one wins). */
  record(key: string, decision: ChargeDecision): Promise<ChargeDecision>;
}

export interface SimulationSettings {
  latencyMinMs: number;
  latencyMaxMs: number;
  failureRate: number;
  singleChargeLimit: number;
}

/**
 * Stands in for a card processor with the behaviour that matters to its callers: it takes time
 * (a configurable latency range, like the seeds' 400-620 ms circuit-breaker demos), it sometimes
 * fails (a configurable rate), it declines by deterministic rules, and, like real processors, it
 * honours an idempotency key: a repeated charge gets the first answer and charges nothing more.
 */
export class SimulatedPaymentProvider extends PaymentProvider {
  constructor(
    private readonly settings: SimulationSettings,
    private readonly ledger: ChargeLedger,
    private readonly random: () => number = Math.random,
  ) {
    super();
  }

  async charge(request: ChargeRequest): Promise<ChargeDecision> {
    const { latencyMinMs, latencyMaxMs, failureRate, singleChargeLimit } = this.settings;
    const latency = latencyMinMs + (latencyMaxMs - latencyMinMs) * this.random();
    const elapsed = latency > 0 ? new Promise((resolve) => setTimeout(resolve, latency)) : undefined;
    if (failureRate > 0 && this.random() < failureRate) {
      await elapsed;
      throw new PaymentProviderUnavailableError('simulated processor failure');
    }
    // The ledger keeps the first decision per key: a repeated charge gets it back, charges nothing.
    // The processor records it while its answer is on the way, as a real one does within its
    // latency: the answer comes after the latency or the record, whichever takes longer.
    const reason = declineReasonFor(request.amount, request.method, singleChargeLimit);
    const [decision] = await Promise.all([
      this.ledger.record(request.idempotencyKey, reason ? { approved: false, reason } : { approved: true }),
      elapsed,
    ]);
    return decision;
  }

  lookup(idempotencyKey: string): Promise<ChargeDecision | undefined> {
    return this.ledger.recall(idempotencyKey);
  }
}
