import { IsBoolean, IsInt, Min } from 'class-validator';
import { DataServiceConfig, EnvBoolean, EnvDuration, IsHttpUrl } from '@storage/config';

export class StorageAssignConfig extends DataServiceConfig {
  override PORT: number = 8083;

  /** Booking, asked by the reconciliation where the booking of an active assignment stands. */
  @IsHttpUrl()
  BOOKING_URL!: string;

  /** An ACTIVE assignment this old is checked against its booking (released if not kept). */
  @EnvDuration()
  @IsInt()
  @Min(1000)
  ASSIGNMENT_RECONCILE_AFTER_MS: number = 600_000;

  @EnvDuration()
  @IsInt()
  @Min(100)
  ASSIGNMENT_RECONCILE_INTERVAL_MS: number = 60_000;

  /** Register 20 units (S/M/L) when the inventory is empty, so a fresh system is usable at once. */
  @EnvBoolean()
  @IsBoolean()
  SEED_DEFAULT_INVENTORY = true;
}
