import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork, type Actor } from '@storage/ddd';
import type { BookingSnapshot } from '../../domain';
import { transitionOwnBooking } from '../own-booking-transition';
import { BookingRepository } from '../ports/booking.repository.port';

/** Customer cancels before the start date: unit released and money refunded by the saga. */
@Injectable()
export class CancelBookingHandler {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(bookingId: string, actor: Actor): Promise<BookingSnapshot> {
    return transitionOwnBooking(this.bookings, this.unitOfWork, bookingId, actor, (booking) =>
      booking.cancel(todayUtc()),
    );
  }
}
