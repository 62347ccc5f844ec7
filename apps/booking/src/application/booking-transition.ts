import { canSee, changeLocked, type Actor, type UnitOfWork } from '@storage/ddd';
import { BookingNotFoundError, type Booking, type BookingSnapshot } from '../domain';
import type { BookingRepository } from './ports/booking.repository.port';

/**
 * A change to one booking on someone's request: the row locked, visible only to its customer when
 * a customer acts (another's is "not found"), changed by the aggregate's own rule (which throws
 * when the state forbids it), saved with its events in one transaction.
 */
export async function transitionBooking(
  bookings: BookingRepository,
  unitOfWork: UnitOfWork,
  bookingId: string,
  actor: Actor,
  request: (booking: Booking) => void,
): Promise<BookingSnapshot> {
  const { aggregate } = await changeLocked(unitOfWork, {
    lock: async () => {
      const booking = await bookings.findById(bookingId, { lock: true });
      return booking && canSee(actor, booking.customerId) ? booking : null;
    },
    apply: (booking) => {
      request(booking);
      return true;
    },
    save: (booking) => bookings.save(booking),
  });
  if (!aggregate) {
    throw new BookingNotFoundError(bookingId);
  }
  return aggregate.snapshot();
}
