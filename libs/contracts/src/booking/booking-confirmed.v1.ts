import { IsNotEmpty, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** A unit was assigned to a paid booking. */
export class BookingConfirmedV1 {
  @IsUUID() bookingId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsUUID() unitId!: string;
  @IsString() @IsNotEmpty() unitCode!: string;
}

export const BookingConfirmed = defineEvent('BookingConfirmed', 1, Topics.bookingEvents, BookingConfirmedV1);
