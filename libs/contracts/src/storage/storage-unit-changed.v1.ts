import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export const STORAGE_UNIT_STATUSES = ['AVAILABLE', 'MAINTENANCE', 'INSPECTION', 'RETIRED'] as const;
export type StorageUnitStatus = (typeof STORAGE_UNIT_STATUSES)[number];

export class StorageUnitChangedV1 {
  @IsUUID() unitId!: string;
  @IsString() @IsNotEmpty() code!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsIn(STORAGE_UNIT_STATUSES) status!: StorageUnitStatus;
  @IsInt() @Min(0) dailyRate!: number;
  /** Added later (optional, so older events stay valid): end of a maintenance window, exclusive. */
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) maintenanceUntil?: string | null;
}

export const StorageUnitChanged = defineEvent(
  'StorageUnitChanged',
  1,
  Topics.storageEvents,
  StorageUnitChangedV1,
);
