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

/**
 * What a booking's status means for what another service holds for it (a charge, a unit). Booking
 * owns the meaning of its statuses, so the services that reconcile against it read it here:
 * - `kept`: the booking holds (CONFIRMED, COMPLETED): keep what is held, never ask again;
 * - `given-up`: it never will (REJECTED, CANCELLED): give back what is held;
 * - `undecided`: still in flight, or unknown to booking (null): ask again later.
 */
export type BookingFate = 'kept' | 'given-up' | 'undecided';

export function bookingFate(status: BookingStatusName | null): BookingFate {
  switch (status) {
    case 'CONFIRMED':
    case 'COMPLETED':
      return 'kept';
    case 'REJECTED':
    case 'CANCELLED':
      return 'given-up';
    default:
      return 'undecided';
  }
}
