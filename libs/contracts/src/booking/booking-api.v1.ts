/**
 * Booking's HTTP contract for sibling services (owned by booking, additive only): what
 * `GET {BOOKING_URL}/bookings/:id` answers that other services may rely on.
 */
export const BOOKING_STATUSES = [
  'PAYMENT_PENDING',
  'PAID',
  'CONFIRMED',
  'REJECTED',
  'CANCELLED',
  'COMPLETED',
] as const;
export type BookingStatusName = (typeof BOOKING_STATUSES)[number];

export interface BookingStatusV1 {
  id: string;
  status: BookingStatusName;
}

export function bookingPath(bookingId: string): string {
  return `/bookings/${encodeURIComponent(bookingId)}`;
}
