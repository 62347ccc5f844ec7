import type { StorageUnit, UnitSize, UnitStatus } from '../../domain';

/** Persists units and, atomically with them, the events they raised. */
export abstract class StorageUnitRepository {
  abstract findById(id: string, options?: { lock: boolean }): Promise<StorageUnit | null>;
  abstract list(filter: { size?: UnitSize; status?: UnitStatus }): Promise<StorageUnit[]>;
  abstract count(): Promise<number>;
  /** Throws DuplicateUnitCodeError when the code is taken. */
  abstract insert(unit: StorageUnit): Promise<void>;
  abstract save(unit: StorageUnit): Promise<void>;
}
