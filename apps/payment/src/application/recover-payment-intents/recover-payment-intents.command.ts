/** Settles or voids payment intents left pending for longer than `olderThanMs`. */
export class RecoverPaymentIntentsCommand {
  constructor(
    readonly olderThanMs: number,
    readonly now = new Date(),
  ) {}
}
