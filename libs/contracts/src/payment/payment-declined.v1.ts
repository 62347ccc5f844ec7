import { IsInt, IsNotEmpty, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { CUSTOMER_ID_PATTERN } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_CHARGE_AMOUNT_KRW } from './payment-api.v1';

export class PaymentDeclinedV1 {
  @IsUUID() paymentId!: string;
  @IsUUID() bookingId!: string;
  @Matches(CUSTOMER_ID_PATTERN) customerId!: string;
  @IsInt() @Min(0) @Max(MAX_CHARGE_AMOUNT_KRW) amount!: number;
  @IsString() @IsNotEmpty() reason!: string;
}

export const PaymentDeclined = defineEvent('PaymentDeclined', 1, Topics.paymentEvents, PaymentDeclinedV1);
