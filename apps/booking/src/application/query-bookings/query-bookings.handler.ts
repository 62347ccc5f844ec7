import { Injectable } from '@nestjs/common';
import { BookingNotFoundError, type BookingSnapshot } from '../../domain';
import { canSee, type Actor } from '../ports/actor';
import { BookingRepository, type BookingFilter } from '../ports/booking.repository.port';

@Injectable()
export class QueryBookingsHandler {
  constructor(private readonly bookings: BookingRepository) {}

  async byId(bookingId: string, actor: Actor): Promise<BookingSnapshot> {
    const booking = await this.bookings.findById(bookingId);
    // Another customer's booking is indistinguishable from a missing one.
    if (!booking || !canSee(actor, booking.customerId)) {
      throw new BookingNotFoundError(bookingId);
    }
    return booking.snapshot();
  }

  async list(filter: BookingFilter, actor: Actor): Promise<BookingSnapshot[]> {
    const scoped = actor.kind === 'customer' ? { ...filter, customerId: actor.customerId } : filter;
    return (await this.bookings.list(scoped)).map((booking) => booking.snapshot());
  }
}
