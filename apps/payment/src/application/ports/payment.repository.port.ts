import type { Payment } from '../../domain';

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
}
