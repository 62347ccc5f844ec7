import type { ChargeOutcome } from '../../domain';

export interface ChargeRequest {
  bookingId: string;
  amount: number;
  method: string;
  /**
   * The provider charges at most once per key and answers a repeated request with the first
   * outcome: a charge whose answer was lost (timeout, crash) is resumed, never repeated.
   */
  idempotencyKey: string;
}

export type ChargeDecision = ChargeOutcome;

/** The external card processor. Throws PaymentProviderUnavailableError when it cannot answer. */
export abstract class PaymentProvider {
  abstract charge(request: ChargeRequest): Promise<ChargeDecision>;
  /** What the provider decided for a key, without charging; undefined when it never charged. */
  abstract lookup(idempotencyKey: string): Promise<ChargeDecision | undefined>;
}
