import { IsNotEmpty, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** The booking's unit was retired and no other unit was free: booking must cancel and refund. */
export class StorageAssignmentRevokedV1 {
  @IsUUID() bookingId!: string;
  @IsUUID() unitId!: string;
  @IsString() @IsNotEmpty() reason!: string;
}

export const StorageAssignmentRevoked = defineEvent(
  'StorageAssignmentRevoked',
  1,
  Topics.storageEvents,
  StorageAssignmentRevokedV1,
);
