import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@storage/ddd';
import { StorageUnit, type StorageUnitSnapshot } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';
import type { RegisterUnitCommand } from './register-unit.command';

@Injectable()
export class RegisterUnitHandler {
  constructor(
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute({ code, size, dailyRate }: RegisterUnitCommand): Promise<StorageUnitSnapshot> {
    // The unit and its StorageUnitRegistered commit together.
    return this.unitOfWork.run(async () => {
      const unit = StorageUnit.register({ code, size, dailyRate });
      await this.units.insert(unit);
      return unit.snapshot();
    });
  }
}
