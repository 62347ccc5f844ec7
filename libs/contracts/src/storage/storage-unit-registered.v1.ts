import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_DAILY_RATE_KRW, MAX_UNIT_VERSION, UNIT_CODE_PATTERN } from './storage-api.v1';

export class StorageUnitRegisteredV1 {
  @IsUUID() unitId!: string;
  @Matches(UNIT_CODE_PATTERN) code!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsInt() @Min(0) @Max(MAX_DAILY_RATE_KRW) dailyRate!: number;
  /**
   * Added later (optional, so older events stay valid): 1 at registration, one more with every
   * StorageUnitChanged of the unit. A copy of the unit takes an event only if it is newer.
   */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_UNIT_VERSION) unitVersion?: number;
}

export const StorageUnitRegistered = defineEvent(
  'StorageUnitRegistered',
  1,
  Topics.storageEvents,
  StorageUnitRegisteredV1,
);
