import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { DataServiceConfig } from '@storage/config';

export class StorageAssignConfig extends DataServiceConfig {
  override PORT: number = 8083;

  /** Register 20 units (S/M/L) when the inventory is empty, so a fresh system is usable at once. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value === 'true' : value))
  @IsBoolean()
  SEED_DEFAULT_INVENTORY = true;
}
