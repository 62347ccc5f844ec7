import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import type { PaymentSnapshot, PaymentStatus } from '../../../domain';
import {
  MAX_CHARGE_AMOUNT_KRW,
  PAYMENT_STATUSES,
  type ChargeRequestV1,
  type PaymentV1,
} from '@storage/contracts';
import { IsCustomerId, IsOptionalNotNull, PageQuery } from '@storage/service-kit';

export class CreatePaymentRequest implements ChargeRequestV1 {
  @ApiProperty({ format: 'uuid', description: 'Idempotency key: one payment per booking' })
  @IsUUID()
  bookingId!: string;

  @ApiProperty({ example: 'customer-1' })
  @IsCustomerId()
  customerId!: string;

  @ApiProperty({ example: 90000, maximum: MAX_CHARGE_AMOUNT_KRW, description: 'Integer KRW' })
  @IsInt()
  @Min(1)
  @Max(MAX_CHARGE_AMOUNT_KRW)
  amount!: number;

  @ApiProperty({ example: 'card', description: '`card-declined` is always declined (test rule)' })
  @IsString()
  @IsNotEmpty()
  @Matches(/^[a-z0-9-]{1,50}$/, { message: 'method must be lower-case letters, digits or dashes (max 50)' })
  method!: string;
}

export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUUID()
  bookingId?: string;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsCustomerId()
  customerId?: string;
}

export class PaymentResponse implements PaymentV1 {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() method!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: PaymentStatus;
  @ApiProperty({ nullable: true, type: String }) declineReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) refundReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) refundedAt!: string | null;

  static from(payment: PaymentSnapshot): PaymentResponse {
    return {
      ...payment,
      createdAt: payment.createdAt.toISOString(),
      refundedAt: payment.refundedAt ? payment.refundedAt.toISOString() : null,
    };
  }
}
