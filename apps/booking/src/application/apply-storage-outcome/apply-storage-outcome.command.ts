/** What storage-assign reported for a booking's unit. */
export type StorageOutcome =
  { kind: 'assigned'; unitId: string; unitCode: string } | { kind: 'failed' } | { kind: 'revoked' };

export class ApplyStorageOutcomeCommand {
  constructor(
    readonly bookingId: string,
    readonly outcome: StorageOutcome,
  ) {}
}
