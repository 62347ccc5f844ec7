import { DomainError } from '@storage/ddd';

export class BookingNotFoundError extends DomainError {
  readonly code = 'BOOKING_NOT_FOUND';
  readonly status = 404;
  constructor(bookingId: string) {
    super(`Booking ${bookingId} does not exist`, { bookingId });
  }
}

export class StartDateInPastError extends DomainError {
  readonly code = 'START_DATE_IN_PAST';
  readonly status = 422;
  constructor(startDate: string, today: string) {
    super(`startDate ${startDate} is in the past (today is ${today} UTC)`, { startDate, today });
  }
}

export class RentalTooLongError extends DomainError {
  readonly code = 'RENTAL_TOO_LONG';
  readonly status = 422;
  constructor(days: number, maxDays: number) {
    super(`A rental may last at most ${maxDays} days (asked for ${days})`, { days, maxDays });
  }
}

export class AmountTooLargeError extends DomainError {
  readonly code = 'AMOUNT_TOO_LARGE';
  readonly status = 422;
  constructor(amount: number, maxAmount: number) {
    super(
      `A booking may cost at most ${maxAmount} KRW; this one would cost ${amount} KRW (book a shorter period)`,
      {
        amount,
        maxAmount,
      },
    );
  }
}

export class SizeNotOfferedError extends DomainError {
  readonly code = 'SIZE_NOT_OFFERED';
  readonly status = 422;
  constructor(size: string) {
    super(`No unit of size ${size} is offered right now`, { size });
  }
}

export class NoUnitAvailableError extends DomainError {
  readonly code = 'NO_UNIT_AVAILABLE';
  readonly status = 409;
  constructor(size: string, startDate: string, endDate: string) {
    super(`No ${size} unit is free from ${startDate} to ${endDate}; nothing was charged`, {
      size,
      startDate,
      endDate,
    });
  }
}

export class PaymentDeclinedError extends DomainError {
  readonly code = 'PAYMENT_DECLINED';
  readonly status = 402;
  constructor(bookingId: string, reason: string) {
    super(`The payment was declined (${reason}); the booking was not accepted`, { bookingId, reason });
  }
}

export class PaymentUnavailableError extends DomainError {
  readonly code = 'PAYMENT_UNAVAILABLE';
  readonly status = 503;
  constructor(
    readonly retryAfterSeconds: number,
    cause: string,
    /**
     * Set on a refusal at the door (payment's circuit open, every slot taken): for this long every
     * new booking would be refused the same way, so the edge may give the answer itself (see
     * EDGE_HOLD_HEADER). Not on a call that failed: that says nothing about the next one.
     */
    readonly refusesEveryoneForMs?: number,
  ) {
    super('Payment is busy right now; nothing was charged or booked. Please try again shortly', { cause });
  }
}

/** The same Idempotency-Key sent again with other terms: a client bug, never "the first booking". */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly status = 422;
  constructor(bookingId: string, mismatched: string[]) {
    super(
      `This Idempotency-Key was used for booking ${bookingId} with other terms (${mismatched.join(', ')}); use a new key for a new booking`,
      { bookingId, mismatched },
    );
  }
}

export class BookingInProgressError extends DomainError {
  readonly code = 'BOOKING_IN_PROGRESS';
  readonly status = 409;
  /** The first request is waiting for payment, which answers within its timeout: ask again then. */
  readonly retryAfterSeconds = 1;
  constructor(bookingId: string) {
    super(`A request with this Idempotency-Key is still being processed (booking ${bookingId})`, {
      bookingId,
    });
  }
}

export class BookingStateError extends DomainError {
  readonly code = 'BOOKING_STATE_CONFLICT';
  readonly status = 409;
  constructor(bookingId: string, action: string, reason: string) {
    super(`Booking ${bookingId} cannot ${action}: ${reason}`, { bookingId, action, reason });
  }
}
