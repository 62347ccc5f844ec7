import { Injectable } from '@nestjs/common';
import { todayUtc, UnitOfWork } from '@storage/ddd';
import type { BookingSnapshot } from '../../domain';
import { transitionBooking } from '../booking-transition';
import { BookingRepository } from '../ports/booking.repository.port';
import type { CheckOutBookingCommand } from './check-out-booking.command';

/** The rental ended: COMPLETED, and storage-assign sends the unit to inspection. */
@Injectable()
export class CheckOutBookingHandler {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute({ bookingId, actor }: CheckOutBookingCommand): Promise<BookingSnapshot> {
    return transitionBooking(this.bookings, this.unitOfWork, bookingId, actor, (booking) =>
      booking.checkOut(todayUtc()),
    );
  }
}
