import { Injectable } from '@nestjs/common';
import { changeLocked, todayUtc, UnitOfWork } from '@storage/ddd';
import { StorageUnitNotFoundError, type StorageUnitSnapshot } from '../../domain';
import { StorageUnitRepository } from '../ports/storage-unit.repository.port';
import type { ChangeUnitStatusCommand } from './change-unit-status.command';

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

  async execute({ unitId, status, maintenanceUntil }: ChangeUnitStatusCommand): Promise<StorageUnitSnapshot> {
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
