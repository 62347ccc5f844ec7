import {
  DuplicateUnitCodeError,
  StorageUnit,
  type StorageUnitEvent,
  type StorageUnitSnapshot,
  type UnitSize,
  type UnitStatus,
} from '../../domain';
import { StorageUnitRepository } from './storage-unit.repository.port';

/**
 * Units as rows, and the events each write carried (the outbox), for handler tests: what the
 * TypeORM repository does, without a database. `locks` records the rows locked, in order, shared
 * with the in-memory assignments so a test can check the lock order every use case keeps.
 */
export class InMemoryUnits extends StorageUnitRepository {
  readonly rows = new Map<string, StorageUnitSnapshot>();
  readonly outbox: StorageUnitEvent[] = [];
  readonly locks: string[] = [];
  writes = 0;

  /** Registers a unit directly (as staff did earlier) and returns its id; no event kept. */
  add(
    input: { code: string; size?: UnitSize; dailyRate?: number },
    status: UnitStatus = 'AVAILABLE',
  ): string {
    const unit = StorageUnit.register({ size: 'S', dailyRate: 3000, ...input });
    unit.pullEvents();
    this.rows.set(unit.id, { ...unit.snapshot(), status });
    return unit.id;
  }

  findById(id: string, options?: { lock: boolean }) {
    if (options?.lock) {
      this.locks.push(`unit ${id}`);
    }
    const row = this.rows.get(id);
    return Promise.resolve(row ? StorageUnit.restore(row) : null);
  }
  list(filter: { size?: UnitSize; status?: UnitStatus }) {
    return Promise.resolve(
      [...this.rows.values()]
        .filter((row) => (filter.size ?? row.size) === row.size)
        .filter((row) => (filter.status ?? row.status) === row.status)
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((row) => StorageUnit.restore(row)),
    );
  }
  count() {
    return Promise.resolve(this.rows.size);
  }
  insert(unit: StorageUnit) {
    if ([...this.rows.values()].some((row) => row.code === unit.code)) {
      return Promise.reject(new DuplicateUnitCodeError(unit.code));
    }
    this.write(unit);
    return Promise.resolve();
  }
  save(unit: StorageUnit) {
    this.write(unit);
    return Promise.resolve();
  }

  private write(unit: StorageUnit): void {
    this.writes += 1;
    this.rows.set(unit.id, unit.snapshot());
    this.outbox.push(...unit.pullEvents());
  }
}
