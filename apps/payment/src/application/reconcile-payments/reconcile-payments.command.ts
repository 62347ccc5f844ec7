/** Checks approved payments older than `afterMs` against their booking. */
export class ReconcilePaymentsCommand {
  constructor(
    readonly afterMs: number,
    readonly now = new Date(),
  ) {}
}
