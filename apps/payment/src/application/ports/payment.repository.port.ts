import type { Payment, PaymentStatus } from '../../domain';

export interface PaymentFilter {
  bookingId?: string;
  customerId?: string;
  limit: number;
  offset: number;
}

/** Persists payments and, atomically with them, the events they raised. */
export abstract class PaymentRepository {
  abstract findById(id: string): Promise<Payment | null>;
  /** Locks the row inside an open transaction, so concurrent refunds serialise. */
  abstract findByBookingId(bookingId: string, options?: { lock: boolean }): Promise<Payment | null>;
  abstract list(filter: PaymentFilter): Promise<Payment[]>;
  /** Inserts a new payment; when the booking already has one, returns that one instead. */
  abstract insertOrGetExisting(payment: Payment): Promise<{ payment: Payment; inserted: boolean }>;
  abstract save(payment: Payment): Promise<void>;
  /**
   * Saves a changed copy, with its events, only while the stored payment is still in the status
   * the copy had before the change (`seen`); false, nothing written, if not.
   */
  abstract saveIfUnchanged(payment: Payment, seen: { status: PaymentStatus }): Promise<boolean>;
  /** Intents still PENDING that were created before `before`, oldest first. */
  abstract findPendingCreatedBefore(before: Date, limit: number): Promise<Payment[]>;
  /**
   * APPROVED payments created before `before` whose booking was not yet seen kept and that were
   * not asked about since `before`; the least recently asked first.
   */
  abstract findUnreconciledApprovedBefore(before: Date, limit: number): Promise<Payment[]>;
  /** `kept`: booking keeps it, never ask again; `open`: asked now, ask again later. */
  abstract markReconciled(bookingId: string, outcome: 'kept' | 'open'): Promise<void>;
}
