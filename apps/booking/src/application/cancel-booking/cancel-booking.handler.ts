import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork, type Actor } from '@storage/ddd';
import type { BookingSnapshot } from '../../domain';
import { transitionBooking } from '../booking-transition';
import { BookingRepository } from '../ports/booking.repository.port';

/** Customer cancels before the start date: unit released and money refunded by the saga. */
@Injectable()
export class CancelBookingHandler {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(bookingId: string, actor: Actor): Promise<BookingSnapshot> {
    return transitionBooking(this.bookings, this.unitOfWork, bookingId, actor, (booking) =>
      booking.cancel(todayUtc()),
    );
  }
}
