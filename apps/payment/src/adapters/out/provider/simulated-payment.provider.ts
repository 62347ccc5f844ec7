import { declineReasonFor, PaymentProviderUnavailableError } from '../../../domain';
import {
  PaymentProvider,
  type ChargeDecision,
  type ChargeRequest,
} from '../../../application/ports/payment-provider.port';

export interface SimulationSettings {
  latencyMinMs: number;
  latencyMaxMs: number;
  failureRate: number;
  singleChargeLimit: number;
}

/**
 * Stands in for a card processor with the behaviour that matters to its callers: it takes time
 * (a configurable latency range, like the seeds' 400-620 ms circuit-breaker demos), it sometimes
 * fails (a configurable rate), and it declines by deterministic rules.
 */
export class SimulatedPaymentProvider extends PaymentProvider {
  constructor(
    private readonly settings: SimulationSettings,
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
    const reason = declineReasonFor(request.amount, request.method, singleChargeLimit);
    return reason ? { approved: false, reason } : { approved: true };
  }
}
