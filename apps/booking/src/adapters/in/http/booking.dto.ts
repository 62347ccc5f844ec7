import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { BOOKING_STATUSES, CURRENCY, UNIT_SIZES } from '@storage/contracts';
import type { BookingSnapshot, BookingStatus, UnitSize } from '../../../domain';
import { IsCustomerId, IsOptionalNotNull, PageQuery } from '@storage/service-kit';

// The statuses booking publishes to its siblings (libs/contracts) are exactly its own.
const STATUSES: readonly BookingStatus[] = BOOKING_STATUSES;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class PlaceBookingRequest {
  @ApiPropertyOptional({
    example: 'customer-1',
    description: 'Only for direct calls: through the gateway the customer comes from the token',
  })
  @IsOptionalNotNull()
  @IsCustomerId()
  customerId?: string;

  @ApiProperty({ enum: UNIT_SIZES })
  @IsIn(UNIT_SIZES)
  size!: UnitSize;

  @ApiProperty({ example: '2030-01-01', description: 'First day, UTC, not in the past' })
  @Matches(DATE, { message: 'startDate must be YYYY-MM-DD' })
  startDate!: string;

  @ApiProperty({ example: '2030-01-31', description: 'Day the unit is handed back (not billed)' })
  @Matches(DATE, { message: 'endDate must be YYYY-MM-DD' })
  endDate!: string;

  @ApiPropertyOptional({
    example: 'card',
    default: 'card',
    description: '`card-declined` is always declined',
  })
  @IsOptionalNotNull()
  @Matches(/^[a-z0-9-]{1,50}$/, { message: 'paymentMethod must be lower-case letters, digits or dashes' })
  paymentMethod?: string;
}

export class ListBookingsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Ignored for customers (always themselves)' })
  @IsOptionalNotNull()
  @IsCustomerId()
  customerId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptionalNotNull()
  @IsIn(STATUSES)
  status?: BookingStatus;
}

export class BookingResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: UNIT_SIZES }) size!: UnitSize;
  @ApiProperty() startDate!: string;
  @ApiProperty() endDate!: string;
  @ApiProperty() days!: number;
  @ApiProperty({ description: 'KRW per day' }) dailyRate!: number;
  @ApiProperty({ description: 'KRW, dailyRate x days' }) amount!: number;
  @ApiProperty({ example: CURRENCY }) currency!: string;
  @ApiProperty({ enum: STATUSES }) status!: BookingStatus;
  @ApiProperty({ nullable: true, type: String }) paymentId!: string | null;
  @ApiProperty({ nullable: true, type: String }) unitId!: string | null;
  @ApiProperty({ nullable: true, type: String }) unitCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) paymentDeclineReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) cancellationReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static from(booking: BookingSnapshot): BookingResponse {
    const { idempotencyKey: _key, createdAt, updatedAt, ...rest } = booking;
    return {
      ...rest,
      currency: CURRENCY,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    };
  }
}
