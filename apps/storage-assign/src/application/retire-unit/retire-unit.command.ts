/** Staff take a unit out of service for good; bookings it holds move to another unit or are revoked. */
export class RetireUnitCommand {
  constructor(readonly unitId: string) {}
}
