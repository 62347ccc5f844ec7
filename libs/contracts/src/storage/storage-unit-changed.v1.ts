import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { MAX_DAILY_RATE_KRW, MAX_UNIT_VERSION, UNIT_CODE_PATTERN } from './storage-api.v1';

export const STORAGE_UNIT_STATUSES = ['AVAILABLE', 'MAINTENANCE', 'INSPECTION', 'RETIRED'] as const;
export type StorageUnitStatus = (typeof STORAGE_UNIT_STATUSES)[number];

export class StorageUnitChangedV1 {
  @IsUUID() unitId!: string;
  @Matches(UNIT_CODE_PATTERN) code!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsIn(STORAGE_UNIT_STATUSES) status!: StorageUnitStatus;
  @IsInt() @Min(0) @Max(MAX_DAILY_RATE_KRW) dailyRate!: number;
  /** Added later (optional, so older events stay valid): end of a maintenance window, exclusive. */
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) maintenanceUntil?: string | null;
  /** Added later (optional, so older events stay valid): see StorageUnitRegisteredV1.unitVersion. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_UNIT_VERSION) unitVersion?: number;
}

export const StorageUnitChanged = defineEvent(
  'StorageUnitChanged',
  1,
  Topics.storageEvents,
  StorageUnitChangedV1,
);
