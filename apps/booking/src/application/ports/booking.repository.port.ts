import type { Booking, BookingSnapshot, BookingStatus } from '../../domain';

export interface BookingFilter {
  customerId?: string;
  status?: BookingStatus;
  limit: number;
  offset: number;
}

/** Persists bookings and, atomically with them, the events they raised (transactional outbox). */
export abstract class BookingRepository {
  abstract findById(id: string, options?: { lock: boolean }): Promise<Booking | null>;
  abstract findByIdempotencyKey(customerId: string, key: string): Promise<Booking | null>;
  abstract list(filter: BookingFilter): Promise<Booking[]>;
  /** Inserts; when the customer's idempotency key is already used, returns that booking instead. */
  abstract insert(booking: Booking): Promise<{ booking: Booking; inserted: boolean }>;
  abstract save(booking: Booking): Promise<void>;
  /**
   * Saves a changed copy, with its events, only while the stored booking is still as the copy
   * was before the change (`seen`: its status and last change); false, nothing written, if not.
   */
  abstract saveIfUnchanged(
    booking: Booking,
    seen: Pick<BookingSnapshot, 'status' | 'updatedAt'>,
  ): Promise<boolean>;
  /** PAYMENT_PENDING bookings older than `before`, locked (skipping ones another replica holds). */
  abstract lockStalePaymentPending(before: Date, limit: number): Promise<Booking[]>;
  /** PAID bookings last changed before `before`, locked (skipping ones another replica holds). */
  abstract lockStalledPaid(before: Date, limit: number): Promise<Booking[]>;
}
