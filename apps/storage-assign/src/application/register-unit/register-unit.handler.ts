import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { StorageUnit, type StorageUnitSnapshot, type UnitSize } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';

@Injectable()
export class RegisterUnitHandler {
  constructor(
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(input: { code: string; size: UnitSize; dailyRate: number }): Promise<StorageUnitSnapshot> {
    // The unit and its StorageUnitRegistered commit together.
    return this.unitOfWork.run(async () => {
      const unit = StorageUnit.register(input);
      await this.units.insert(unit);
      return unit.snapshot();
    });
  }
}
