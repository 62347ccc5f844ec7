import { Injectable } from '@nestjs/common';
import { changeInHand, UnitOfWork } from '@storage/ddd';
import { Payment, PaymentConflictError, type PaymentSnapshot } from '../../domain';
import { PaymentProvider } from '../ports/payment-provider.port';
import { PaymentRepository } from '../ports/payment.repository.port';
import type { AuthorizePaymentCommand } from './authorize-payment.command';

/**
 * Charges a booking once. The booking id is the idempotency key, here and at the provider:
 * 1. the intent (PENDING) is committed first;
 * 2. the provider is asked with the booking id as its idempotency key;
 * 3. its answer settles the intent.
 * A repeated request (a client retry, a retried call after a timeout) returns the outcome, or
 * resumes a PENDING intent: the provider answers the same key with its first answer, so a crash
 * between the charge and step 3 loses nothing and charges nothing twice.
 */
@Injectable()
export class AuthorizePaymentHandler {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: AuthorizePaymentCommand): Promise<{ payment: PaymentSnapshot; created: boolean }> {
    // Insert first: a new charge (the usual case) is one statement, and a repeated one finds the
    // intent or outcome already there.
    const { payment, inserted } = await this.payments.insertOrGetExisting(Payment.intend(command));
    if (!inserted) {
      const terms = this.sameTermsOrThrow(payment, command);
      if (terms.status !== 'PENDING') {
        return { payment: terms, created: false };
      }
    }
    return { payment: await this.resume(payment), created: inserted };
  }

  /** Asks the provider (again, under the same key) and records its answer on the intent. */
  async resume(intent: Payment): Promise<PaymentSnapshot> {
    const snapshot = intent.snapshot();
    const outcome = await this.provider.charge({
      bookingId: snapshot.bookingId,
      amount: snapshot.amount,
      method: snapshot.method,
      idempotencyKey: snapshot.bookingId,
    });
    // The intent in hand is fresh (written or read by this request): a PENDING intent leaves
    // PENDING only through a change, so while the row is PENDING it is as the copy saw it.
    const { aggregate } = await changeInHand(
      this.unitOfWork,
      {
        aggregate: intent,
        saveIfUnchanged: (copy) => this.payments.saveIfUnchanged(copy, { status: snapshot.status }),
      },
      {
        lock: () => this.payments.findByBookingId(snapshot.bookingId, { lock: true }),
        apply: (current) => current.settle(outcome),
        save: (current) => this.payments.save(current),
      },
    );
    if (!aggregate) {
      throw new Error(`Payment intent of booking ${snapshot.bookingId} disappeared`);
    }
    return aggregate.snapshot();
  }

  private sameTermsOrThrow(existing: Payment, command: AuthorizePaymentCommand): PaymentSnapshot {
    if (existing.status !== 'VOIDED' && existing.amount !== command.amount) {
      throw new PaymentConflictError(command.bookingId, existing.amount, command.amount);
    }
    return existing.snapshot();
  }
}
