/**
 * Payment's HTTP contract for sibling services (owned by payment, additive only): what
 * `POST {PAYMENT_URL}/payments` accepts and answers.
 */

/**
 * The largest amount (integer KRW) one charge may carry. Payment refuses more; booking refuses to
 * place (or quote) a booking above it, so a customer gets a clear 422 instead of a "decline".
 */
export const MAX_CHARGE_AMOUNT_KRW = 1_000_000_000;

/** Where charges are made (POST) and listed (GET). */
export const PAYMENTS_PATH = '/payments';

export interface ChargeRequestV1 {
  /** Idempotency key: one payment per booking. */
  bookingId: string;
  customerId: string;
  amount: number;
  method: string;
}

export const PAYMENT_STATUSES = ['PENDING', 'APPROVED', 'DECLINED', 'REFUNDED', 'VOIDED'] as const;
export type PaymentStatusName = (typeof PAYMENT_STATUSES)[number];

export interface PaymentV1 {
  id: string;
  status: PaymentStatusName;
  declineReason: string | null;
}
