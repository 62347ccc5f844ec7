import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@storage/ddd';

export type PaymentStatus = 'APPROVED' | 'DECLINED' | 'REFUNDED' | 'VOIDED';

export type PaymentDomainEvent =
  | { type: 'PaymentApproved'; payment: PaymentSnapshot }
  | { type: 'PaymentDeclined'; payment: PaymentSnapshot }
  | { type: 'PaymentRefunded'; payment: PaymentSnapshot };

export interface PaymentSnapshot {
  id: string;
  bookingId: string;
  customerId: string;
  amount: number;
  method: string;
  status: PaymentStatus;
  declineReason: string | null;
  refundReason: string | null;
  createdAt: Date;
  refundedAt: Date | null;
}

/**
 * One charge per booking (the booking id is the idempotency key). Money is kept only while
 * APPROVED; REFUNDED returns it; VOIDED marks a booking that gave up before any charge landed, so a
 * late charge attempt for it is refused instead of taking money nobody will account for.
 */
export class Payment extends AggregateRoot<PaymentDomainEvent> {
  private constructor(private state: PaymentSnapshot) {
    super();
  }

  static approve(input: { bookingId: string; customerId: string; amount: number; method: string }): Payment {
    const payment = new Payment({
      id: randomUUID(),
      ...input,
      status: 'APPROVED',
      declineReason: null,
      refundReason: null,
      createdAt: new Date(),
      refundedAt: null,
    });
    payment.raise({ type: 'PaymentApproved', payment: payment.snapshot() });
    return payment;
  }

  static decline(
    input: { bookingId: string; customerId: string; amount: number; method: string },
    reason: string,
  ): Payment {
    const payment = new Payment({
      id: randomUUID(),
      ...input,
      status: 'DECLINED',
      declineReason: reason,
      refundReason: null,
      createdAt: new Date(),
      refundedAt: null,
    });
    payment.raise({ type: 'PaymentDeclined', payment: payment.snapshot() });
    return payment;
  }

  static void(input: { bookingId: string; customerId: string; amount: number }, reason: string): Payment {
    return new Payment({
      id: randomUUID(),
      ...input,
      method: 'none',
      status: 'VOIDED',
      declineReason: null,
      refundReason: reason,
      createdAt: new Date(),
      refundedAt: null,
    });
  }

  static restore(snapshot: PaymentSnapshot): Payment {
    return new Payment({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }
  get bookingId(): string {
    return this.state.bookingId;
  }
  get amount(): number {
    return this.state.amount;
  }
  get status(): PaymentStatus {
    return this.state.status;
  }

  /** Idempotent: refunding twice, or refunding what was never kept, changes nothing. */
  refund(reason: string, at = new Date()): boolean {
    if (this.state.status !== 'APPROVED') {
      return false;
    }
    this.state = { ...this.state, status: 'REFUNDED', refundReason: reason, refundedAt: at };
    this.raise({ type: 'PaymentRefunded', payment: this.snapshot() });
    return true;
  }

  snapshot(): PaymentSnapshot {
    return { ...this.state };
  }
}
