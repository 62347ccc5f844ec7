import type { Actor } from '@storage/ddd';

export class CheckOutBookingCommand {
  constructor(
    readonly bookingId: string,
    readonly actor: Actor,
  ) {}
}
