import {
  Assignment,
  StorageUnit,
  type AssignmentStatus,
  type UnitSize,
  type UnitStatus,
} from '../../../domain';
import { AssignmentOrmEntity } from './assignment.orm-entity';
import { StorageUnitOrmEntity } from './storage-unit.orm-entity';

export const StorageUnitMapper = {
  toDomain(row: StorageUnitOrmEntity): StorageUnit {
    return StorageUnit.restore({
      id: row.id,
      code: row.code,
      size: row.size as UnitSize,
      dailyRate: row.dailyRate,
      status: row.status as UnitStatus,
      maintenanceUntil: row.maintenanceUntil,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  },
  toOrm(unit: StorageUnit): StorageUnitOrmEntity {
    return Object.assign(new StorageUnitOrmEntity(), unit.snapshot());
  },
};

export const AssignmentMapper = {
  toDomain(row: AssignmentOrmEntity): Assignment {
    return Assignment.restore({
      id: row.id,
      bookingId: row.bookingId,
      unitId: row.unitId,
      unitCode: row.unitCode,
      size: row.size as UnitSize,
      startDate: row.startDate,
      endDate: row.endDate,
      status: row.status as AssignmentStatus,
      releaseReason: row.releaseReason,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  },
  toOrm(assignment: Assignment): AssignmentOrmEntity {
    return Object.assign(new AssignmentOrmEntity(), assignment.snapshot());
  },
};
