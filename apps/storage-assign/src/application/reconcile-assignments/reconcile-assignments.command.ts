/** Checks active assignments older than `afterMs` against their booking. */
export class ReconcileAssignmentsCommand {
  constructor(
    readonly afterMs: number,
    readonly now = new Date(),
  ) {}
}
