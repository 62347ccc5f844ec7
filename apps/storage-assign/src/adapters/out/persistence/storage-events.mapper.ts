import {
  StorageAssigned,
  StorageAssignmentFailed,
  StorageAssignmentRevoked,
  StorageReleased,
  StorageUnitChanged,
  StorageUnitRegistered,
  type SameValues,
  type StorageUnitStatus,
  type UnitSize as ContractUnitSize,
} from '@storage/contracts';
import type { OutgoingEvent } from '@storage/messaging';
import type {
  AssignmentEvent,
  AssignmentFailureEvent,
  StorageUnitEvent,
  UnitSize,
  UnitStatus,
} from '../../../domain';

/** The domain's sizes and unit statuses are the contract's (the build fails otherwise). */
export const STORAGE_WORDS_ARE_THE_CONTRACTS: [
  SameValues<UnitSize, ContractUnitSize>,
  SameValues<UnitStatus, StorageUnitStatus>,
] = [true, true];

/** Domain events -> storage.events.v1 (booking events keyed by booking, inventory by unit). */
export function toIntegrationEvent(
  event: AssignmentEvent | AssignmentFailureEvent | StorageUnitEvent,
): OutgoingEvent<object> {
  switch (event.type) {
    case 'StorageUnitRegistered': {
      const { unit } = event;
      return {
        definition: StorageUnitRegistered,
        correlationId: unit.id,
        payload: {
          unitId: unit.id,
          code: unit.code,
          size: unit.size,
          dailyRate: unit.dailyRate,
          unitVersion: unit.version,
        },
      };
    }
    case 'StorageUnitChanged': {
      const { unit } = event;
      return {
        definition: StorageUnitChanged,
        correlationId: unit.id,
        payload: {
          unitId: unit.id,
          code: unit.code,
          size: unit.size,
          status: unit.status,
          dailyRate: unit.dailyRate,
          maintenanceUntil: unit.maintenanceUntil,
          unitVersion: unit.version,
        },
      };
    }
    case 'StorageAssigned': {
      const { assignment } = event;
      return {
        definition: StorageAssigned,
        correlationId: assignment.bookingId,
        payload: {
          bookingId: assignment.bookingId,
          unitId: assignment.unitId,
          unitCode: assignment.unitCode,
          size: assignment.size,
          startDate: assignment.startDate,
          endDate: assignment.endDate,
          reassigned: event.reassigned,
        },
      };
    }
    case 'StorageReleased': {
      const { assignment } = event;
      return {
        definition: StorageReleased,
        correlationId: assignment.bookingId,
        payload: {
          bookingId: assignment.bookingId,
          unitId: assignment.unitId,
          unitCode: assignment.unitCode,
          reason: assignment.releaseReason ?? 'RELEASED',
        },
      };
    }
    case 'StorageAssignmentRevoked': {
      const { assignment } = event;
      return {
        definition: StorageAssignmentRevoked,
        correlationId: assignment.bookingId,
        payload: {
          bookingId: assignment.bookingId,
          unitId: assignment.unitId,
          reason: assignment.releaseReason ?? 'REVOKED',
        },
      };
    }
    case 'StorageAssignmentFailed':
      return {
        definition: StorageAssignmentFailed,
        correlationId: event.bookingId,
        payload: { bookingId: event.bookingId, size: event.size, reason: event.reason },
      };
  }
}
