import { IsBoolean, IsIn, IsISO8601, IsUUID, Matches } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { UNIT_CODE_PATTERN } from './storage-api.v1';

/** A unit holds the booking's period. `reassigned` is true when it replaces a retired unit. */
export class StorageAssignedV1 {
  @IsUUID() bookingId!: string;
  @IsUUID() unitId!: string;
  @Matches(UNIT_CODE_PATTERN) unitCode!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsISO8601({ strict: true }) startDate!: string;
  @IsISO8601({ strict: true }) endDate!: string;
  @IsBoolean() reassigned!: boolean;
}

export const StorageAssigned = defineEvent('StorageAssigned', 1, Topics.storageEvents, StorageAssignedV1);
