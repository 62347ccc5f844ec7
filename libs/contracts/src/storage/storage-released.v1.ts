import { IsNotEmpty, IsString, IsUUID, Matches } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { UNIT_CODE_PATTERN } from './storage-api.v1';

/** The unit no longer holds the booking's period (cancelled). */
export class StorageReleasedV1 {
  @IsUUID() bookingId!: string;
  @IsUUID() unitId!: string;
  @Matches(UNIT_CODE_PATTERN) unitCode!: string;
  @IsString() @IsNotEmpty() reason!: string;
}

export const StorageReleased = defineEvent('StorageReleased', 1, Topics.storageEvents, StorageReleasedV1);
