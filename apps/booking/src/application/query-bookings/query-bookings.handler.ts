import { Injectable } from '@nestjs/common';
import { canSee, customerScope, type Actor } from '@storage/ddd';
import { BookingNotFoundError, type BookingSnapshot } from '../../domain';
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
    return (await this.bookings.list({ ...filter, customerId: customerScope(actor, filter.customerId) })).map(
      (booking) => booking.snapshot(),
    );
  }
}
