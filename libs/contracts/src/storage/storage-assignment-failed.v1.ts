import { IsIn, IsNotEmpty, IsString, IsUUID } from 'class-validator';
import { UNIT_SIZES, type UnitSize } from '../common';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class StorageAssignmentFailedV1 {
  @IsUUID() bookingId!: string;
  @IsIn(UNIT_SIZES) size!: UnitSize;
  @IsString() @IsNotEmpty() reason!: string;
}

export const StorageAssignmentFailed = defineEvent(
  'StorageAssignmentFailed',
  1,
  Topics.storageEvents,
  StorageAssignmentFailedV1,
);
