import {
  canSee,
  changeInHand,
  changeLocked,
  type Actor,
  type InHand,
  type LockedChange,
  type UnitOfWork,
} from '@storage/ddd';
import { BookingNotFoundError, type Booking, type BookingSnapshot } from '../domain';
import type { BookingRepository } from './ports/booking.repository.port';

/**
 * A change to one booking on someone's request: the row locked, visible only to its customer when
 * a customer acts (another's is "not found"), changed by the aggregate's own rule (which throws
 * when the state forbids it), saved with its events in one transaction. With a fresh copy in hand
 * (`inHand`: the booking this request itself just wrote) the change is first tried on that copy
 * in one conditional statement (changeInHand).
 */
export async function transitionBooking(
  bookings: BookingRepository,
  unitOfWork: UnitOfWork,
  bookingId: string,
  actor: Actor,
  /** The aggregate's rule; it may answer false for "nothing to change" (already done). */
  request: (booking: Booking) => boolean | void,
  inHand?: Booking,
): Promise<BookingSnapshot> {
  const locked: LockedChange<Booking> = {
    lock: async () => {
      const booking = await bookings.findById(bookingId, { lock: true });
      return booking && canSee(actor, booking.customerId) ? booking : null;
    },
    apply: (booking) => request(booking) !== false,
    save: (booking) => bookings.save(booking),
  };
  let result;
  if (inHand && canSee(actor, inHand.customerId)) {
    result = await changeInHand(unitOfWork, bookingInHand(bookings, inHand), locked);
  } else {
    result = await changeLocked(unitOfWork, locked);
  }
  const { aggregate } = result;
  if (!aggregate) {
    throw new BookingNotFoundError(bookingId);
  }
  return aggregate.snapshot();
}

/**
 * A copy of a booking held fresh (just written by this process), saved only while its row is
 * still as the copy saw it: the same status and last change.
 */
export function bookingInHand(bookings: BookingRepository, booking: Booking): InHand<Booking> {
  const seen = booking.snapshot();
  return { aggregate: booking, saveIfUnchanged: (copy) => bookings.saveIfUnchanged(copy, seen) };
}
