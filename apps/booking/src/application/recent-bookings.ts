import { Injectable } from '@nestjs/common';
import { Booking, type BookingSnapshot } from '../domain';

/** Bookings remembered at most; the oldest is forgotten first. */
const REMEMBERED = 1000;

/**
 * The bookings this process has just placed (PAID), as it wrote them. The saga's next step,
 * storage-assign's answer, usually arrives within a second; with a copy in hand it is applied in
 * one conditional statement (changeInHand) instead of a locked read and then a write. A copy is a
 * guess, never trusted: the conditional write refuses it when the row has moved on (a
 * cancellation, the stale-payment sweeper, another replica), and the change takes the locked way.
 */
@Injectable()
export class RecentBookings {
  private readonly placed = new Map<string, BookingSnapshot>();

  remember(booking: BookingSnapshot): void {
    this.placed.set(booking.id, booking);
    if (this.placed.size > REMEMBERED) {
      this.placed.delete(this.placed.keys().next().value as string);
    }
  }

  /** A copy of the booking as remembered, forgotten once taken: its next step changes it. */
  take(bookingId: string): Booking | undefined {
    const snapshot = this.placed.get(bookingId);
    if (!snapshot) {
      return undefined;
    }
    this.placed.delete(bookingId);
    return Booking.restore(snapshot);
  }
}
