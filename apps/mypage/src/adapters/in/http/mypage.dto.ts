import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomerId, IsOptionalNotNull, PageQuery } from '@storage/service-kit';

export class MypageListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Required for staff; ignored for customers (always themselves)' })
  @IsOptionalNotNull()
  @IsCustomerId()
  customerId?: string;
}

export class TimelineEntryResponse {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() summary!: string;
}

export class BookingViewResponse {
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty({ nullable: true, type: String }) customerId!: string | null;
  // OpenAPI 3.0.3: a nullable enum lists null among its values, or null is not a valid value.
  @ApiProperty({ nullable: true, enum: ['PAID', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED', null] })
  status!: string | null;
  @ApiProperty({ nullable: true, type: String }) statusReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) size!: string | null;
  @ApiProperty({ nullable: true, type: String }) startDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) endDate!: string | null;
  @ApiProperty({ nullable: true, type: Number }) amount!: number | null;
  @ApiProperty({ nullable: true, type: String }) paymentId!: string | null;
  @ApiProperty({ nullable: true, enum: ['APPROVED', 'DECLINED', 'REFUNDED', null] }) paymentStatus!:
    string | null;
  @ApiProperty({ nullable: true, type: Number }) refundedAmount!: number | null;
  @ApiProperty({ nullable: true, type: String }) unitId!: string | null;
  @ApiProperty({ nullable: true, type: String }) unitCode!: string | null;
  @ApiProperty() unitReleased!: boolean;
  @ApiProperty({ nullable: true, type: String }) lastEventAt!: string | null;
}

export class BookingDetailResponse extends BookingViewResponse {
  @ApiProperty({ type: [TimelineEntryResponse] }) timeline!: TimelineEntryResponse[];
}

export class NoticeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() message!: string;
  @ApiProperty() createdAt!: string;
}
