import { Injectable } from '@nestjs/common';
import { StorageUnit, type StorageUnitSnapshot, type UnitSize } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';

@Injectable()
export class RegisterUnitHandler {
  constructor(private readonly units: StorageUnitRepository) {}

  async execute(input: { code: string; size: UnitSize; dailyRate: number }): Promise<StorageUnitSnapshot> {
    const unit = StorageUnit.register(input);
    await this.units.insert(unit);
    return unit.snapshot();
  }
}
