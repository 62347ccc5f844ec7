import { Injectable } from '@nestjs/common';
import { changeLocked, todayUtc, UnitOfWork } from '@storage/ddd';
import { StorageUnitNotFoundError, type StorageUnitSnapshot, type UnitStatus } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';

/**
 * Staff take a unit out of rotation (MAINTENANCE, open-ended or until a date) or put it back
 * (AVAILABLE, e.g. after inspection).
 */
@Injectable()
export class ChangeUnitStatusHandler {
  constructor(
    private readonly units: StorageUnitRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(
    unitId: string,
    status: Extract<UnitStatus, 'AVAILABLE' | 'MAINTENANCE'>,
    maintenanceUntil: string | null = null,
  ): Promise<StorageUnitSnapshot> {
    const { aggregate } = await changeLocked(this.unitOfWork, {
      lock: () => this.units.findById(unitId, { lock: true }),
      apply: (unit) =>
        status === 'MAINTENANCE'
          ? unit.putUnderMaintenance(maintenanceUntil, todayUtc())
          : unit.changeStatus(status),
      save: (unit) => this.units.save(unit),
    });
    if (!aggregate) {
      throw new StorageUnitNotFoundError(unitId);
    }
    return aggregate.snapshot();
  }
}
