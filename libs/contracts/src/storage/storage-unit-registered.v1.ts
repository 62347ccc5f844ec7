import { IsIn, IsInt, IsNotEmpty, IsString, IsUUID, Min } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class StorageUnitRegisteredV1 {
  @IsUUID() unitId!: string;
  @IsString() @IsNotEmpty() code!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsInt() @Min(0) dailyRate!: number;
}

export const StorageUnitRegistered = defineEvent(
  'StorageUnitRegistered',
  1,
  Topics.storageEvents,
  StorageUnitRegisteredV1,
);
