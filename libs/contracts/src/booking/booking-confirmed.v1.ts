import { IsUUID, Matches } from 'class-validator';
import { CUSTOMER_ID_PATTERN } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { UNIT_CODE_PATTERN } from '../storage/storage-api.v1';

/** A unit was assigned to a paid booking. */
export class BookingConfirmedV1 {
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsUUID() unitId!: string;
  @Matches(UNIT_CODE_PATTERN) unitCode!: string;
}

export const BookingConfirmed = defineEvent('BookingConfirmed', 1, Topics.bookingEvents, BookingConfirmedV1);
