import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@storage/ddd';

export type PaymentStatus = 'PENDING' | 'APPROVED' | 'DECLINED' | 'REFUNDED' | 'VOIDED';

/** What the provider answered for a charge. */
export type ChargeOutcome = { approved: true } | { approved: false; reason: string };

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
 * One charge per booking (the booking id is the idempotency key). PENDING is the intent, recorded
 * before the provider is called, so a crash between the charge and its outcome leaves a row to
 * resume from (the provider honours the same key) instead of money nobody accounts for. Money is
 * kept only while APPROVED; REFUNDED returns it; VOIDED marks a booking that gave up before any
 * charge landed, so a late charge attempt for it is refused, or refunded when it landed anyway.
 */
export class Payment extends AggregateRoot<PaymentDomainEvent> {
  private constructor(private state: PaymentSnapshot) {
    super();
  }

  /** The intent: recorded before the provider is asked, settled with its answer. */
  static intend(input: { bookingId: string; customerId: string; amount: number; method: string }): Payment {
    return new Payment({
      id: randomUUID(),
      ...input,
      status: 'PENDING',
      declineReason: null,
      refundReason: null,
      createdAt: new Date(),
      refundedAt: null,
    });
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

  /**
   * Records the provider's answer to the intent. A booking that gave up while the charge was in
   * flight has voided it: money that landed anyway goes straight back. Settling twice changes
   * nothing.
   */
  settle(outcome: ChargeOutcome, at = new Date()): boolean {
    if (this.state.status === 'VOIDED' && outcome.approved && this.state.refundedAt === null) {
      this.state = { ...this.state, status: 'REFUNDED', refundedAt: at };
      this.raise({ type: 'PaymentRefunded', payment: this.snapshot() });
      return true;
    }
    if (this.state.status !== 'PENDING') {
      return false;
    }
    this.state = outcome.approved
      ? { ...this.state, status: 'APPROVED' }
      : { ...this.state, status: 'DECLINED', declineReason: outcome.reason };
    this.raise({
      type: outcome.approved ? 'PaymentApproved' : 'PaymentDeclined',
      payment: this.snapshot(),
    });
    return true;
  }

  /** The booking gave up while its charge was in flight: whatever lands later is given back. */
  voidPending(reason: string): boolean {
    if (this.state.status !== 'PENDING') {
      return false;
    }
    this.state = { ...this.state, status: 'VOIDED', refundReason: reason };
    return true;
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
