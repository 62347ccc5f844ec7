import type { BookingStatusName } from '@storage/contracts';

/** Where booking, the saga's source of truth, says a booking stands (null: it does not know it). */
export abstract class BookingStatuses {
  abstract statusOf(bookingId: string): Promise<BookingStatusName | null>;
}
