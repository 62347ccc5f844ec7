import { IsIn, IsInt, IsISO8601, IsUUID, Matches, Max, Min } from 'class-validator';
import { CUSTOMER_ID_PATTERN, CURRENCY, UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_CHARGE_AMOUNT_KRW } from '../payment/payment-api.v1';

/** A booking was paid and accepted; storage-assign must now find it a unit. */
export class BookingPlacedV1 {
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsISO8601({ strict: true }) startDate!: string;
  @IsISO8601({ strict: true }) endDate!: string;
  @IsInt() @Min(0) @Max(MAX_CHARGE_AMOUNT_KRW) amount!: number;
  @IsIn([CURRENCY]) currency!: string;
  @IsUUID() paymentId!: string;
}

export const BookingPlaced = defineEvent('BookingPlaced', 1, Topics.bookingEvents, BookingPlacedV1);
