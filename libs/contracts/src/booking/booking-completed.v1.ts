import { IsNotEmpty, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** The rental ended (check-out); the unit goes to inspection. */
export class BookingCompletedV1 {
  @IsUUID() bookingId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsUUID() unitId!: string | null;
}

export const BookingCompleted = defineEvent('BookingCompleted', 1, Topics.bookingEvents, BookingCompletedV1);
