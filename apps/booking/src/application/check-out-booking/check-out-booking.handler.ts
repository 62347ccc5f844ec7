import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork } from '@storage/ddd';
import { BookingNotFoundError, type BookingSnapshot } from '../../domain';
import { canSee, type Actor } from '../ports/actor';
import { BookingRepository } from '../ports/booking.repository.port';

/** The rental ended: COMPLETED, and storage-assign sends the unit to inspection. */
@Injectable()
export class CheckOutBookingHandler {
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
      booking.checkOut(todayUtc());
      await this.bookings.save(booking);
      return booking.snapshot();
    });
  }
}
