export interface ChargeRequest {
  bookingId: string;
  amount: number;
  method: string;
}

export type ChargeDecision = { approved: true } | { approved: false; reason: string };

/** The external card processor. Throws PaymentProviderUnavailableError when it cannot answer. */
export abstract class PaymentProvider {
  abstract charge(request: ChargeRequest): Promise<ChargeDecision>;
}
