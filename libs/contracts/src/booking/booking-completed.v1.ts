import { IsOptional, IsUUID, Matches } from 'class-validator';
import { CUSTOMER_ID_PATTERN } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** The rental ended (check-out); the unit goes to inspection. */
export class BookingCompletedV1 {
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsOptional() @IsUUID() unitId!: string | null;
}

export const BookingCompleted = defineEvent('BookingCompleted', 1, Topics.bookingEvents, BookingCompletedV1);
