import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { CUSTOMER_ID_PATTERN } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_CHARGE_AMOUNT_KRW } from '../payment/payment-api.v1';

/** PAYMENT_UNAVAILABLE: booking gave up on a slow payment; a charge that still landed is refunded. */
export const BOOKING_REJECTION_REASONS = [
  'PAYMENT_DECLINED',
  'PAYMENT_UNAVAILABLE',
  'NO_UNIT_AVAILABLE',
] as const;
export type BookingRejectionReason = (typeof BOOKING_REJECTION_REASONS)[number];

/** The booking was not accepted or could not be served; any approved payment must be refunded. */
export class BookingRejectedV1 {
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsIn(BOOKING_REJECTION_REASONS) reason!: BookingRejectionReason;
  @IsOptional() @IsUUID() paymentId!: string | null;
  @IsInt() @Min(0) @Max(MAX_CHARGE_AMOUNT_KRW) amount!: number;
}

export const BookingRejected = defineEvent('BookingRejected', 1, Topics.bookingEvents, BookingRejectedV1);
