export interface ChargeRequest {
  bookingId: string;
  customerId: string;
  amount: number;
  method: string;
}

export type ChargeResult =
  | { outcome: 'approved'; paymentId: string }
  | { outcome: 'declined'; paymentId: string | null; reason: string };

/** The payment service. Throws PaymentUnavailableError when it cannot answer in time. */
export abstract class PaymentGateway {
  abstract charge(request: ChargeRequest): Promise<ChargeResult>;
}
