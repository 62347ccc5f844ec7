import { IsIn, IsInt, IsNotEmpty, IsString, IsUUID, Min } from 'class-validator';
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
}

export const StorageUnitChanged = defineEvent(
  'StorageUnitChanged',
  1,
  Topics.storageEvents,
  StorageUnitChangedV1,
);
