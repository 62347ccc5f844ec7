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
    if (latency > 0) {
      await new Promise((resolve) => setTimeout(resolve, latency));
    }
    if (failureRate > 0 && this.random() < failureRate) {
      throw new PaymentProviderUnavailableError('simulated processor failure');
    }
    // The ledger keeps the first decision per key: a repeated charge gets it back, charges nothing.
    const reason = declineReasonFor(request.amount, request.method, singleChargeLimit);
    return this.ledger.record(
      request.idempotencyKey,
      reason ? { approved: false, reason } : { approved: true },
    );
  }

  lookup(idempotencyKey: string): Promise<ChargeDecision | undefined> {
    return this.ledger.recall(idempotencyKey);
  }
}
