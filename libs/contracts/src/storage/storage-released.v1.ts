import { IsNotEmpty, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** The unit no longer holds the booking's period (cancelled). */
export class StorageReleasedV1 {
  @IsUUID() bookingId!: string;
  @IsUUID() unitId!: string;
  @IsString() @IsNotEmpty() unitCode!: string;
  @IsString() @IsNotEmpty() reason!: string;
}

export const StorageReleased = defineEvent('StorageReleased', 1, Topics.storageEvents, StorageReleasedV1);
