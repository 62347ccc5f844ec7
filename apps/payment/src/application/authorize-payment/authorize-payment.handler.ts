import { Injectable } from '@nestjs/common';
import { Payment, PaymentConflictError, type PaymentSnapshot } from '../../domain';
import { PaymentProvider } from '../ports/payment-provider.port';
import { PaymentRepository } from '../ports/payment.repository.port';
import type { AuthorizePaymentCommand } from './authorize-payment.command';

/**
 * Charges a booking once. The booking id is the idempotency key: a repeated request (a client
 * retry, a retried call after a timeout) returns the first outcome and never charges twice.
 */
@Injectable()
export class AuthorizePaymentHandler {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
  ) {}

  async execute(command: AuthorizePaymentCommand): Promise<{ payment: PaymentSnapshot; created: boolean }> {
    const existing = await this.payments.findByBookingId(command.bookingId);
    if (existing) {
      return { payment: this.sameTermsOrThrow(existing, command), created: false };
    }
    const decision = await this.provider.charge(command);
    const payment = decision.approved ? Payment.approve(command) : Payment.decline(command, decision.reason);
    const { payment: stored, inserted } = await this.payments.insertOrGetExisting(payment);
    return {
      payment: inserted ? stored.snapshot() : this.sameTermsOrThrow(stored, command),
      created: inserted,
    };
  }

  private sameTermsOrThrow(existing: Payment, command: AuthorizePaymentCommand): PaymentSnapshot {
    if (existing.status !== 'VOIDED' && existing.amount !== command.amount) {
      throw new PaymentConflictError(command.bookingId, existing.amount, command.amount);
    }
    return existing.snapshot();
  }
}
