import type { Actor } from '@storage/ddd';

export class CancelBookingCommand {
  constructor(
    readonly bookingId: string,
    readonly actor: Actor,
  ) {}
}
