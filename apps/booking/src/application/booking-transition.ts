import { canSee, type Actor, type UnitOfWork } from '@storage/ddd';
import { BookingNotFoundError, type Booking, type BookingSnapshot } from '../domain';
import type { BookingRepository } from './ports/booking.repository.port';

/**
 * A change to one booking on someone's request: the row locked, visible only to its customer when
 * a customer acts (another's is "not found"), changed by the aggregate's own rule (which throws
 * when the state forbids it), saved with its events in one transaction.
 */
export function transitionBooking(
  bookings: BookingRepository,
  unitOfWork: UnitOfWork,
  bookingId: string,
  actor: Actor,
  apply: (booking: Booking) => unknown,
): Promise<BookingSnapshot> {
  return unitOfWork.run(async () => {
    const booking = await bookings.findById(bookingId, { lock: true });
    if (!booking || !canSee(actor, booking.customerId)) {
      throw new BookingNotFoundError(bookingId);
    }
    apply(booking);
    await bookings.save(booking);
    return booking.snapshot();
  });
}
