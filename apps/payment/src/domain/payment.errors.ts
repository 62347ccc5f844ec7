import { DomainError } from '@storage/ddd';

export class PaymentNotFoundError extends DomainError {
  readonly code = 'PAYMENT_NOT_FOUND';
  readonly status = 404;
  constructor(paymentId: string) {
    super(`Payment ${paymentId} does not exist`, { paymentId });
  }
}

/** The same booking was already charged with different terms: an idempotency key reused wrongly. */
export class PaymentConflictError extends DomainError {
  readonly code = 'PAYMENT_IDEMPOTENCY_CONFLICT';
  readonly status = 409;
  constructor(bookingId: string, existingAmount: number, requestedAmount: number) {
    super(`Booking ${bookingId} was already charged ${existingAmount}, not ${requestedAmount}`, {
      bookingId,
      existingAmount,
      requestedAmount,
    });
  }
}

/** The provider did not answer in time or failed; the caller may retry with the same key. */
export class PaymentProviderUnavailableError extends DomainError {
  readonly code = 'PAYMENT_PROVIDER_UNAVAILABLE';
  readonly status = 503;
  constructor(reason: string) {
    super(`The payment provider is unavailable: ${reason}`);
  }
}
