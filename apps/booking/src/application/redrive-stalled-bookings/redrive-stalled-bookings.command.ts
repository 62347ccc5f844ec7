/** Publishes again the placement of bookings paid longer than `afterMs` ago and still unassigned. */
export class RedriveStalledBookingsCommand {
  constructor(
    readonly afterMs: number,
    readonly now = new Date(),
  ) {}
}
