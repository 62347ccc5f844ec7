export class RefundPaymentCommand {
  constructor(
    readonly bookingId: string,
    readonly customerId: string,
    readonly amount: number,
    readonly reason: string,
  ) {}
}
