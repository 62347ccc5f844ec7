import type { UnitSize } from '../../domain';

export class RegisterUnitCommand {
  constructor(
    readonly code: string,
    readonly size: UnitSize,
    readonly dailyRate: number,
  ) {}
}
