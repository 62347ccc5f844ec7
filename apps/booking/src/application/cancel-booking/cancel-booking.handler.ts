import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork } from '@storage/ddd';
import { BookingNotFoundError, type BookingSnapshot } from '../../domain';
import { canSee, type Actor } from '../ports/actor';
import { BookingRepository } from '../ports/booking.repository.port';

/** Customer cancels before the start date: unit released and money refunded by the saga. */
@Injectable()
export class CancelBookingHandler {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(bookingId: string, actor: Actor): Promise<BookingSnapshot> {
    return this.unitOfWork.run(async () => {
      const booking = await this.bookings.findById(bookingId, { lock: true });
      if (!booking || !canSee(actor, booking.customerId)) {
        throw new BookingNotFoundError(bookingId);
      }
      booking.cancel(todayUtc());
      await this.bookings.save(booking);
      return booking.snapshot();
    });
  }
}
