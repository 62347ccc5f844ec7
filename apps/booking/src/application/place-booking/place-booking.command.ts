import type { UnitSize } from '../../domain';

export class PlaceBookingCommand {
  constructor(
    readonly customerId: string,
    readonly size: UnitSize,
    readonly startDate: string,
    readonly endDate: string,
    readonly paymentMethod: string,
    readonly idempotencyKey: string | null,
  ) {}
}
