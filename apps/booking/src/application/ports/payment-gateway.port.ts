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

  /**
   * Throws PaymentUnavailableError, without calling payment, when a charge would be refused right
   * now anyway (circuit open, or every slot for payment calls taken): the door check that lets a
   * booking be refused before anything is written.
   */
  abstract assertAcceptingCharges(): void;
}
