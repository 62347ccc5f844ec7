import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, Matches, Max, Min, ValidateBy } from 'class-validator';
import { IsOptionalNotNull } from '@storage/service-kit';
import {
  MAX_DAILY_RATE_KRW,
  UNIT_CODE_PATTERN,
  UNIT_SIZES,
  type AvailabilityQueryV1,
  type AvailabilityV1,
  type SizeAvailabilityV1,
} from '@storage/contracts';
import type { StorageUnitSnapshot, UnitSize, UnitStatus } from '../../../domain';
import type { AvailabilityView } from '../../../application/query-units/query-units.handler';
import type { RetirementOutcome } from '../../../application/retire-unit/retire-unit.handler';

const STATUSES: UnitStatus[] = ['AVAILABLE', 'MAINTENANCE', 'INSPECTION', 'RETIRED'];

export class RegisterUnitRequest {
  @ApiProperty({ example: 'S-101', description: 'Unique; letters, digits and dashes' })
  @Matches(UNIT_CODE_PATTERN, { message: 'code must be 1-40 letters, digits or dashes' })
  code!: string;

  @ApiProperty({ enum: UNIT_SIZES })
  @IsIn(UNIT_SIZES)
  size!: UnitSize;

  @ApiProperty({ example: 3000, description: 'KRW per day' })
  @IsInt()
  @Min(0)
  @Max(MAX_DAILY_RATE_KRW)
  dailyRate!: number;
}

export class ChangeUnitStatusRequest {
  @ApiProperty({ enum: ['AVAILABLE', 'MAINTENANCE'], description: 'DELETE retires a unit' })
  @IsIn(['AVAILABLE', 'MAINTENANCE'])
  status!: 'AVAILABLE' | 'MAINTENANCE';

  @ApiPropertyOptional({
    example: '2030-01-08',
    description:
      'With MAINTENANCE only: the day the unit is back (exclusive, after today). Bookings starting ' +
      'on or after it still get the unit; without it the maintenance lasts until status AVAILABLE',
  })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'until must be YYYY-MM-DD' })
  @ValidateBy({
    name: 'onlyWithMaintenance',
    validator: {
      validate: (_value, args) => (args?.object as ChangeUnitStatusRequest).status === 'MAINTENANCE',
      defaultMessage: () => 'until goes with status MAINTENANCE only',
    },
  })
  until?: string;
}

export class ListUnitsQuery {
  @ApiPropertyOptional({ enum: UNIT_SIZES })
  @IsOptionalNotNull()
  @IsIn(UNIT_SIZES)
  size?: UnitSize;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptionalNotNull()
  @IsIn(STATUSES)
  status?: UnitStatus;
}

export class AvailabilityQuery implements AvailabilityQueryV1 {
  @ApiPropertyOptional({ enum: UNIT_SIZES, description: 'All sizes when omitted' })
  @IsOptionalNotNull()
  @IsIn(UNIT_SIZES)
  size?: UnitSize;

  @ApiProperty({ example: '2030-01-01', description: 'First day (inclusive)' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' })
  from!: string;

  @ApiProperty({ example: '2030-01-31', description: 'Day the unit is free again (exclusive)' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' })
  to!: string;
}

export class StorageUnitResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ enum: UNIT_SIZES }) size!: UnitSize;
  @ApiProperty() dailyRate!: number;
  @ApiProperty({ enum: STATUSES }) status!: UnitStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'MAINTENANCE until this day (exclusive); null: open-ended, or not under maintenance',
  })
  maintenanceUntil!: string | null;
  @ApiProperty({ description: '1 when registered, one more with every change of the unit' })
  version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static from(unit: StorageUnitSnapshot): StorageUnitResponse {
    return { ...unit, createdAt: unit.createdAt.toISOString(), updatedAt: unit.updatedAt.toISOString() };
  }
}

class SizeAvailabilityResponse implements SizeAvailabilityV1 {
  @ApiProperty({ enum: UNIT_SIZES }) size!: UnitSize;
  @ApiProperty() totalUnits!: number;
  @ApiProperty() freeUnits!: number;
  @ApiProperty({ nullable: true, type: Number }) dailyRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'dailyRate x days, KRW' }) price!: number | null;
}

export class AvailabilityResponse implements AvailabilityView, AvailabilityV1 {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() days!: number;
  @ApiProperty({ type: [SizeAvailabilityResponse] }) sizes!: SizeAvailabilityResponse[];
}

class ReassignmentResponse {
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty() unitCode!: string;
}

export class RetirementResponse implements RetirementOutcome {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ type: [ReassignmentResponse], description: 'Bookings moved to another unit' })
  reassigned!: ReassignmentResponse[];
  @ApiProperty({ type: [String], description: 'Bookings that will be cancelled and refunded' })
  revoked!: string[];
}
