import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransientFaults, TRUSTED, UnitOfWork } from '@storage/ddd';
import {
  Booking,
  BookingInProgressError,
  IdempotencyKeyReusedError,
  bookablePeriod,
  priceOf,
  NoUnitAvailableError,
  PaymentDeclinedError,
  PaymentUnavailableError,
  SizeNotOfferedError,
  type BookingSnapshot,
} from '../../domain';
import { transitionBooking } from '../booking-transition';
import { Availability } from '../ports/availability.port';
import { BookingRepository } from '../ports/booking.repository.port';
import { Catalogue } from '../ports/catalogue.port';
import { PaymentGateway, type PaymentSlot } from '../ports/payment-gateway.port';
import { RecentBookings } from '../recent-bookings';
import type { PlaceBookingCommand } from './place-booking.command';

export const BOOKING_RULES = Symbol('BOOKING_RULES');
export interface BookingRules {
  maxRentalDays: number;
  /** The most one charge may carry (payment's contract). */
  maxAmount: number;
  /** How long recording a payment's outcome waits out a database that is briefly unreachable. */
  recordPaymentWithinMs: number;
  /** A repeat takes over a booking left waiting for its payment's outcome this long. */
  resumePendingAfterMs: number;
}

/**
 * The saga's synchronous half. The booking is recorded first (PAYMENT_PENDING, so a crash leaves
 * a trace the stale-payment sweeper reconciles), then charged with the booking id as idempotency
 * key. Approved -> PAID and BookingPlaced in one transaction. Declined -> REJECTED, 402. No answer
 * -> REJECTED(PAYMENT_UNAVAILABLE), 503: nothing accepted, and the rejection event makes payment
 * refund or void anything that lands late. While payment's circuit is open (or its bulkhead
 * full) nothing is written at all: 503 at the door. A repeat under the same Idempotency-Key gets
 * the first request's answer, or takes its booking over when that request died mid-call.
 */
@Injectable()
export class PlaceBookingHandler {
  private readonly logger = new Logger(PlaceBookingHandler.name);

  constructor(
    private readonly bookings: BookingRepository,
    private readonly catalogue: Catalogue,
    private readonly availability: Availability,
    private readonly payments: PaymentGateway,
    private readonly unitOfWork: UnitOfWork,
    private readonly recent: RecentBookings,
    private readonly faults: TransientFaults,
    @Inject(BOOKING_RULES) private readonly rules: BookingRules,
  ) {}

  async execute(command: PlaceBookingCommand): Promise<{ booking: BookingSnapshot; created: boolean }> {
    if (command.idempotencyKey) {
      const previous = await this.bookings.findByIdempotencyKey(command.customerId, command.idempotencyKey);
      if (previous && this.abandoned(previous)) {
        return { booking: await this.resume(previous, command), created: true };
      }
      if (previous) {
        return { booking: this.replay(previous, command), created: false };
      }
    }
    const period = bookablePeriod(command.startDate, command.endDate, this.rules.maxRentalDays);
    // Fail fast at the door: while payment would refuse the charge anyway (circuit open, every
    // slot taken), refuse before any query, row or event. Under overload a refusal then costs
    // almost nothing, instead of as much as an accepted booking; and the slot taken here is this
    // booking's, so no other request can take it while this one is being written.
    const payment = await this.payments.reserve();
    try {
      const dailyRate = await this.catalogue.dailyRate(command.size);
      if (dailyRate === null) {
        throw new SizeNotOfferedError(command.size);
      }
      priceOf(dailyRate, period, this.rules.maxAmount);
      const free = await this.availability.freeUnits(command.size, period);
      if (free === 0) {
        throw new NoUnitAvailableError(command.size, period.startDate, period.endDate);
      }

      const { booking, inserted } = await this.bookings.insert(
        Booking.request({
          customerId: command.customerId,
          size: command.size,
          period,
          dailyRate,
          idempotencyKey: command.idempotencyKey,
        }),
      );
      if (!inserted) {
        return { booking: this.replay(booking, command), created: false };
      }
      return { booking: await this.charge(payment, booking, command.paymentMethod), created: true };
    } finally {
      payment.release();
    }
  }

  private async charge(payment: PaymentSlot, booking: Booking, method: string): Promise<BookingSnapshot> {
    const { id, customerId, amount } = booking.snapshot();
    let result;
    try {
      result = await payment.charge({ bookingId: id, customerId, amount, method });
    } catch (error) {
      if (error instanceof PaymentUnavailableError) {
        await this.transition(booking, (fresh) => fresh.abandonPayment());
        this.logger.warn({
          msg: 'Payment unavailable; booking not accepted',
          bookingId: id,
          cause: error.details,
        });
      }
      throw error;
    }
    if (result.outcome === 'declined') {
      const { paymentId, reason } = result;
      await this.transition(booking, (fresh) => fresh.rejectPayment(reason, paymentId));
      throw new PaymentDeclinedError(id, reason);
    }
    const { paymentId } = result;
    const paid = await this.transition(booking, (fresh) => fresh.markPaid(paymentId));
    this.recent.remember(paid);
    return paid;
  }

  /**
   * Applies the payment's outcome to the booking this request wrote: in one conditional statement
   * while the row is still as written (the usual case), else to the row as it is now, locked: the
   * stale-payment sweeper may have moved it meanwhile, and then the transition refuses instead of
   * overwriting.
   *
   * A database down for a moment is waited out (`recordPaymentWithinMs`): the outcome happened at
   * payment (money taken, or a refusal that frees the idempotency key), and a 503 would leave the
   * booking pending until the stale-payment sweep, the customer's retries answered "in progress"
   * meanwhile and their money refunded. A retry takes the locked way on the row as it is now; each
   * outcome recorded again by the same payment changes nothing (the first attempt may have
   * committed, its reply lost with the connection).
   */
  private transition(
    written: Booking,
    apply: (booking: Booking) => boolean | void,
  ): Promise<BookingSnapshot> {
    return this.faults.waitOut(
      (attempt) =>
        transitionBooking(
          this.bookings,
          this.unitOfWork,
          written.id,
          TRUSTED,
          apply,
          attempt === 1 ? written : undefined,
        ),
      this.rules.recordPaymentWithinMs,
    );
  }

  /**
   * Still waiting for its payment's outcome longer than a request placing it lives: the request
   * ended without recording one (its process was killed or crashed mid-call).
   */
  private abandoned(booking: Booking): boolean {
    const { status, createdAt } = booking.snapshot();
    return (
      status === 'PAYMENT_PENDING' && Date.now() - createdAt.getTime() >= this.rules.resumePendingAfterMs
    );
  }

  /**
   * A repeat takes an abandoned booking over instead of answering "in progress" until the
   * stale-payment sweep: it charges again under the same booking id, which is payment's
   * idempotency key (payment answers with the first charge's outcome when there was one, and
   * charges once otherwise), and records the outcome as the original request would have. Were the
   * original still alive after all, both record the same outcome, once.
   */
  private async resume(pending: Booking, command: PlaceBookingCommand): Promise<BookingSnapshot> {
    this.sameTerms(pending.snapshot(), command);
    const payment = await this.payments.reserve();
    try {
      this.logger.warn({
        msg: 'Resuming a booking whose request ended before its payment outcome',
        bookingId: pending.id,
      });
      return await this.charge(payment, pending, command.paymentMethod);
    } finally {
      payment.release();
    }
  }

  /** Other terms under the same key are refused (422), as payment APIs do. */
  private sameTerms(snapshot: BookingSnapshot, command: PlaceBookingCommand): void {
    const mismatched = (['size', 'startDate', 'endDate'] as const).filter(
      (field) => snapshot[field] !== command[field],
    );
    if (mismatched.length > 0) {
      throw new IdempotencyKeyReusedError(snapshot.id, mismatched);
    }
  }

  /**
   * Same Idempotency-Key and same terms, same answer: the booking as it is now, or the original
   * refusal.
   */
  private replay(previous: Booking, command: PlaceBookingCommand): BookingSnapshot {
    const snapshot = previous.snapshot();
    this.sameTerms(snapshot, command);
    if (snapshot.status === 'PAYMENT_PENDING') {
      throw new BookingInProgressError(snapshot.id);
    }
    if (snapshot.rejectionReason === 'PAYMENT_DECLINED') {
      throw new PaymentDeclinedError(snapshot.id, snapshot.paymentDeclineReason ?? 'DECLINED');
    }
    return snapshot;
  }
}
