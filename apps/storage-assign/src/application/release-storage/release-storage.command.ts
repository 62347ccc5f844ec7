/** The booking gave up (cancelled, rejected): the unit held for it is released. */
export class ReleaseStorageCommand {
  constructor(
    readonly bookingId: string,
    readonly reason: string,
  ) {}
}
