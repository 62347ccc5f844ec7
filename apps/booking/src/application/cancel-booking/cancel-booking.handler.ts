import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork } from '@storage/ddd';
import type { BookingSnapshot } from '../../domain';
import { transitionBooking } from '../booking-transition';
import { BookingRepository } from '../ports/booking.repository.port';
import type { CancelBookingCommand } from './cancel-booking.command';

/** Customer cancels before the start date: unit released and money refunded by the saga. */
@Injectable()
export class CancelBookingHandler {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute({ bookingId, actor }: CancelBookingCommand): Promise<BookingSnapshot> {
    return transitionBooking(this.bookings, this.unitOfWork, bookingId, actor, (booking) =>
      booking.cancel(todayUtc()),
    );
  }
}
