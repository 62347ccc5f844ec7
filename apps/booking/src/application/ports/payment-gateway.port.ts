/** What a charge needs; payment's HTTP contract (ChargeRequestV1) carries exactly this. */
export interface ChargeRequest {
  bookingId: string;
  customerId: string;
  amount: number;
  method: string;
}

export type ChargeResult =
  | { outcome: 'approved'; paymentId: string }
  | { outcome: 'declined'; paymentId: string | null; reason: string };

/** One charge's slot among the payment calls in flight, taken before the booking is written. */
export interface PaymentSlot {
  /** Throws PaymentUnavailableError when payment cannot answer in time. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Frees the slot if no charge did (a charge frees it when it ends); always call it, in `finally`. */
  release(): void;
}

/** The payment service. */
export abstract class PaymentGateway {
  /**
   * Takes a slot for one charge, or rejects with PaymentUnavailableError without calling payment
   * when a charge would be refused anyway (circuit open, every slot taken, no slot freed in time
   * while the number of calls at once is still finding payment's pace after a start): the door
   * check that lets a booking be refused before anything is written, and that keeps a booking
   * admitted at the door from being refused after it was written.
   */
  abstract reserve(): Promise<PaymentSlot>;
}
