import { randomUUID } from 'node:crypto';
import { AggregateRoot, type RentalPeriod } from '@storage/ddd';
import { BookingStateError } from './booking.errors';

export type UnitSize = 'S' | 'M' | 'L';
export type BookingStatus = 'PAYMENT_PENDING' | 'PAID' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED';
export type RejectionReason = 'PAYMENT_DECLINED' | 'PAYMENT_UNAVAILABLE' | 'NO_UNIT_AVAILABLE';
export type CancellationReason = 'CUSTOMER_REQUEST' | 'UNIT_RETIRED';

export interface BookingSnapshot {
  id: string;
  customerId: string;
  size: UnitSize;
  startDate: string;
  endDate: string;
  days: number;
  dailyRate: number;
  amount: number;
  status: BookingStatus;
  paymentId: string | null;
  unitId: string | null;
  unitCode: string | null;
  rejectionReason: RejectionReason | null;
  paymentDeclineReason: string | null;
  cancellationReason: CancellationReason | null;
  idempotencyKey: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type BookingEvent =
  | { type: 'BookingPlaced'; booking: BookingSnapshot }
  | { type: 'BookingConfirmed'; booking: BookingSnapshot }
  | { type: 'BookingRejected'; booking: BookingSnapshot }
  | { type: 'BookingCancelled'; booking: BookingSnapshot }
  | { type: 'BookingCompleted'; booking: BookingSnapshot };

/**
 * The saga's state. A booking is accepted (PAID) only with an approved payment; storage-assign
 * then confirms it with a unit or it is rejected and refunded. Terminal: REJECTED, CANCELLED,
 * COMPLETED. Every transition raises the event the other services react to.
 *
 *   PAYMENT_PENDING -> PAID -> CONFIRMED -> COMPLETED
 *          |            |  \       |
 *          v            v   `-> CANCELLED (customer before the start date, or unit retired)
 *       REJECTED     REJECTED (no unit)
 */
export class Booking extends AggregateRoot<BookingEvent> {
  private constructor(private state: BookingSnapshot) {
    super();
  }

  static request(
    input: {
      customerId: string;
      size: UnitSize;
      period: RentalPeriod;
      dailyRate: number;
      idempotencyKey: string | null;
    },
    now = new Date(),
  ): Booking {
    return new Booking({
      id: randomUUID(),
      customerId: input.customerId,
      size: input.size,
      startDate: input.period.startDate,
      endDate: input.period.endDate,
      days: input.period.days,
      dailyRate: input.dailyRate,
      amount: input.dailyRate * input.period.days,
      status: 'PAYMENT_PENDING',
      paymentId: null,
      unitId: null,
      unitCode: null,
      rejectionReason: null,
      paymentDeclineReason: null,
      cancellationReason: null,
      idempotencyKey: input.idempotencyKey,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(snapshot: BookingSnapshot): Booking {
    return new Booking({ ...snapshot });
  }

  get id(): string {
    return this.state.id;
  }
  get customerId(): string {
    return this.state.customerId;
  }
  get status(): BookingStatus {
    return this.state.status;
  }

  /**
   * The payment was approved. The same payment recorded again (a retry whose first attempt did
   * commit, its reply lost with the connection) changes nothing: false.
   */
  markPaid(paymentId: string, now = new Date()): boolean {
    if (this.state.status === 'PAID' && this.state.paymentId === paymentId) {
      return false;
    }
    this.expect('accept a payment', ['PAYMENT_PENDING']);
    this.update({ status: 'PAID', paymentId }, now);
    this.raise({ type: 'BookingPlaced', booking: this.snapshot() });
    return true;
  }

  /** The payment was declined. The same decline recorded again changes nothing: false. */
  rejectPayment(reason: string, paymentId: string | null, now = new Date()): boolean {
    const { status, rejectionReason, paymentDeclineReason } = this.state;
    if (
      status === 'REJECTED' &&
      rejectionReason === 'PAYMENT_DECLINED' &&
      paymentDeclineReason === reason &&
      this.state.paymentId === paymentId
    ) {
      return false;
    }
    this.expect('record a declined payment', ['PAYMENT_PENDING']);
    this.update(
      { status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED', paymentDeclineReason: reason, paymentId },
      now,
    );
    this.raise({ type: 'BookingRejected', booking: this.snapshot() });
    return true;
  }

  /**
   * Payment did not answer in time. The booking is not accepted; its rejection makes payment
   * refund or void whatever may still land for it. The idempotency key is freed so the client
   * can retry the same request.
   */
  abandonPayment(now = new Date()): boolean {
    if (this.state.status !== 'PAYMENT_PENDING') {
      return false;
    }
    this.update({ status: 'REJECTED', rejectionReason: 'PAYMENT_UNAVAILABLE', idempotencyKey: null }, now);
    this.raise({ type: 'BookingRejected', booking: this.snapshot() });
    return true;
  }

  /**
   * The saga stalled: paid, and no assignment outcome came back in time. Before the start date it
   * announces the booking again (storage-assign answers a repeat with its outcome, assigning a
   * unit if it never did); from the start date on it gives up: the customer needed the unit that
   * day, so the booking is rejected and refunded (and any unit assigned later is released).
   */
  redriveOrExpire(today: string, now = new Date()): 'redriven' | 'expired' | 'unchanged' {
    if (this.state.status !== 'PAID') {
      return 'unchanged';
    }
    if (this.state.startDate <= today) {
      this.update({ status: 'REJECTED', rejectionReason: 'NO_UNIT_AVAILABLE' }, now);
      this.raise({ type: 'BookingRejected', booking: this.snapshot() });
      return 'expired';
    }
    this.update({}, now);
    this.raise({ type: 'BookingPlaced', booking: this.snapshot() });
    return 'redriven';
  }

  /** StorageAssigned: confirms a paid booking, or moves a confirmed one to a replacement unit. */
  assignUnit(unitId: string, unitCode: string, now = new Date()): boolean {
    if (this.state.status === 'PAID' || (this.state.status === 'CONFIRMED' && this.state.unitId !== unitId)) {
      this.update({ status: 'CONFIRMED', unitId, unitCode }, now);
      this.raise({ type: 'BookingConfirmed', booking: this.snapshot() });
      return true;
    }
    return false;
  }

  /** StorageAssignmentFailed: no unit for a paid booking; payment refunds on the rejection. */
  rejectForNoUnit(now = new Date()): boolean {
    if (this.state.status !== 'PAID') {
      return false;
    }
    this.update({ status: 'REJECTED', rejectionReason: 'NO_UNIT_AVAILABLE' }, now);
    this.raise({ type: 'BookingRejected', booking: this.snapshot() });
    return true;
  }

  cancel(today: string, now = new Date()): void {
    this.expect('be cancelled', ['PAID', 'CONFIRMED']);
    if (this.state.startDate <= today) {
      throw new BookingStateError(
        this.state.id,
        'be cancelled',
        `the rental started on ${this.state.startDate}`,
      );
    }
    this.update({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' }, now);
    this.raise({ type: 'BookingCancelled', booking: this.snapshot() });
  }

  /** StorageAssignmentRevoked: the unit was retired and nothing else was free. */
  cancelForRetiredUnit(now = new Date()): boolean {
    if (this.state.status !== 'CONFIRMED' && this.state.status !== 'PAID') {
      return false;
    }
    this.update({ status: 'CANCELLED', cancellationReason: 'UNIT_RETIRED' }, now);
    this.raise({ type: 'BookingCancelled', booking: this.snapshot() });
    return true;
  }

  checkOut(today: string, now = new Date()): void {
    this.expect('be checked out', ['CONFIRMED']);
    if (this.state.startDate > today) {
      throw new BookingStateError(
        this.state.id,
        'be checked out',
        `the rental starts on ${this.state.startDate}`,
      );
    }
    this.update({ status: 'COMPLETED' }, now);
    this.raise({ type: 'BookingCompleted', booking: this.snapshot() });
  }

  snapshot(): BookingSnapshot {
    return { ...this.state };
  }

  private expect(action: string, allowed: BookingStatus[]): void {
    if (!allowed.includes(this.state.status)) {
      throw new BookingStateError(this.state.id, action, `it is ${this.state.status}`);
    }
  }

  private update(changes: Partial<BookingSnapshot>, now: Date): void {
    this.state = { ...this.state, ...changes, updatedAt: now };
  }
}
