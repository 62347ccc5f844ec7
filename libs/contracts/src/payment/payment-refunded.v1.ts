import { IsInt, IsNotEmpty, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class PaymentRefundedV1 {
  @IsUUID() paymentId!: string;
  @IsUUID() bookingId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(0) amount!: number;
  @IsString() @IsNotEmpty() reason!: string;
}

export const PaymentRefunded = defineEvent('PaymentRefunded', 1, Topics.paymentEvents, PaymentRefundedV1);
