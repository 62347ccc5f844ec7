/** Gives up the bookings whose payment has been pending for longer than `graceMs`. */
export class ExpireStalePaymentsCommand {
  constructor(
    readonly graceMs: number,
    readonly now = new Date(),
  ) {}
}
