import type { UnitStatus } from '../../domain';

/** Staff take a unit out of rotation (until a date, or open-ended) or put it back. */
export class ChangeUnitStatusCommand {
  constructor(
    readonly unitId: string,
    readonly status: Extract<UnitStatus, 'AVAILABLE' | 'MAINTENANCE'>,
    readonly maintenanceUntil: string | null = null,
  ) {}
}
