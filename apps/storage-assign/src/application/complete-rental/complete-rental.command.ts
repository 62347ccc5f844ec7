/** The booking's rental is over (checked out or expired): its unit is free again. */
export class CompleteRentalCommand {
  constructor(readonly bookingId: string) {}
}
