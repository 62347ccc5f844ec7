export class AuthorizePaymentCommand {
  constructor(
    readonly bookingId: string,
    readonly customerId: string,
    readonly amount: number,
    readonly method: string,
  ) {}
}
