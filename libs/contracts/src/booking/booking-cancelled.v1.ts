import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { CUSTOMER_ID_PATTERN } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_CHARGE_AMOUNT_KRW } from '../payment/payment-api.v1';

export const BOOKING_CANCELLATION_REASONS = ['CUSTOMER_REQUEST', 'UNIT_RETIRED'] as const;
export type BookingCancellationReason = (typeof BOOKING_CANCELLATION_REASONS)[number];

/** The booking was cancelled; its unit is released and its payment refunded. */
export class BookingCancelledV1 {
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsIn(BOOKING_CANCELLATION_REASONS) reason!: BookingCancellationReason;
  @IsUUID() paymentId!: string;
  @IsOptional() @IsUUID() unitId!: string | null;
  @IsInt() @Min(0) @Max(MAX_CHARGE_AMOUNT_KRW) amount!: number;
}

export const BookingCancelled = defineEvent('BookingCancelled', 1, Topics.bookingEvents, BookingCancelledV1);
