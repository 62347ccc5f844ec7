import { DomainError } from '@storage/ddd';

export class BookingViewNotFoundError extends DomainError {
  readonly code = 'BOOKING_NOT_FOUND';
  readonly status = 404;
  constructor(bookingId: string) {
    super(`No booking ${bookingId} on my page (it may appear within a moment of booking)`, { bookingId });
  }
}
