import type { UnitSize } from '../../domain';

export class AssignStorageCommand {
  constructor(
    readonly bookingId: string,
    readonly size: UnitSize,
    readonly startDate: string,
    readonly endDate: string,
  ) {}
}
