import { IsInt, IsNotEmpty, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class PaymentDeclinedV1 {
  @IsUUID() paymentId!: string;
  @IsUUID() bookingId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(0) amount!: number;
  @IsString() @IsNotEmpty() reason!: string;
}

export const PaymentDeclined = defineEvent('PaymentDeclined', 1, Topics.paymentEvents, PaymentDeclinedV1);
