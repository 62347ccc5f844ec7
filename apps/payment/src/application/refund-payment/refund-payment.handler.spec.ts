import type { UnitOfWork } from '@storage/ddd';
import { Payment, type PaymentDomainEvent } from '../../domain';
import { AuthorizePaymentCommand } from '../authorize-payment/authorize-payment.command';
import { AuthorizePaymentHandler } from '../authorize-payment/authorize-payment.handler';
import { PaymentProvider, type ChargeDecision } from '../ports/payment-provider.port';
import { InMemoryPayments } from '../ports/payment.repository.fake';
import { RefundPaymentCommand } from './refund-payment.command';
import { PaymentAppearedConcurrentlyError, RefundPaymentHandler } from './refund-payment.handler';

/**
 * Approves every charge; `hold` keeps the next answer back until `answer()` (a charge in flight),
 * and `charging` resolves once that charge has reached the provider.
 */
class CountingProvider extends PaymentProvider {
  calls = 0;
  private held: (() => void) | undefined;
  private reached!: () => void;
  hold = false;
  readonly charging = new Promise<void>((resolve) => (this.reached = resolve));

  charge(): Promise<ChargeDecision> {
    this.calls += 1;
    if (!this.hold) {
      return Promise.resolve({ approved: true });
    }
    this.reached();
    return new Promise((resolve) => (this.held = () => resolve({ approved: true })));
  }
  lookup(): Promise<ChargeDecision | undefined> {
    return Promise.resolve(undefined);
  }
  answer(): void {
    this.held?.();
  }
}

const unitOfWork: UnitOfWork = { run: (work) => work() };
const BOOKING = 'booking-1';
const refundOf = (reason = 'BOOKING_CANCELLED') => new RefundPaymentCommand(BOOKING, 'alice', 7000, reason);
const chargeOf = () => new AuthorizePaymentCommand(BOOKING, 'alice', 7000, 'card');
const eventTypes = (events: PaymentDomainEvent[]) => events.map((event) => event.type);

function setUp(payments = new InMemoryPayments()) {
  const provider = new CountingProvider();
  const authorize = new AuthorizePaymentHandler(payments, provider, unitOfWork);
  const refund = new RefundPaymentHandler(payments, unitOfWork);
  return { payments, provider, authorize, refund };
}

describe('RefundPaymentHandler', () => {
  it('gives back the money an approved payment kept, once, announcing it', async () => {
    const { payments, authorize, refund } = setUp();
    await authorize.execute(chargeOf());
    expect(await refund.execute(refundOf())).toBe('refunded');
    expect(payments.rows.get(BOOKING)?.snapshot()).toMatchObject({
      status: 'REFUNDED',
      refundReason: 'BOOKING_CANCELLED',
    });
    // A redelivered BookingCancelled, or a BookingRejected after it: nothing more.
    expect(await refund.execute(refundOf('NO_UNIT_AVAILABLE'))).toBe('unchanged');
    expect(eventTypes(payments.outbox)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('voids a booking whose charge has not come yet: the charge, when it comes, is refused unasked', async () => {
    const { payments, provider, authorize, refund } = setUp();
    expect(await refund.execute(refundOf('PAYMENT_UNAVAILABLE'))).toBe('voided');
    expect(payments.rows.get(BOOKING)?.status).toBe('VOIDED');

    const late = await authorize.execute(chargeOf());
    expect(late.payment.status).toBe('VOIDED');
    expect(provider.calls).toBe(0);
    expect(payments.outbox).toEqual([]);
  });

  it('voids a charge still in flight, and its approval, when it lands, goes straight back', async () => {
    const { payments, provider, authorize, refund } = setUp();
    provider.hold = true;
    const charging = authorize.execute(chargeOf());
    await provider.charging;
    expect(payments.rows.get(BOOKING)?.status).toBe('PENDING');

    expect(await refund.execute(refundOf('PAYMENT_UNAVAILABLE'))).toBe('voided');
    provider.answer();
    expect((await charging).payment.status).toBe('REFUNDED');
    expect(payments.rows.get(BOOKING)?.status).toBe('REFUNDED');
    // The money was kept for no moment anyone could see: only its return is announced.
    expect(eventTypes(payments.outbox)).toEqual(['PaymentRefunded']);
  });

  it('has nothing to refund for a declined payment', async () => {
    const payments = new InMemoryPayments();
    const declined = Payment.intend({
      bookingId: BOOKING,
      customerId: 'alice',
      amount: 7000,
      method: 'card',
    });
    declined.settle({ approved: false, reason: 'CARD_EXPIRED' });
    await payments.save(declined);
    const { refund } = setUp(payments);
    expect(await refund.execute(refundOf())).toBe('unchanged');
    expect(payments.rows.get(BOOKING)?.status).toBe('DECLINED');
  });

  it('asks to be retried when a charge appears between its lookup and its void, and then refunds it', async () => {
    /** The row is written by a concurrent charge just after this handler looked for it. */
    class RacingPayments extends InMemoryPayments {
      raced = false;
      override findByBookingId(bookingId: string) {
        if (!this.raced) {
          this.raced = true;
          return Promise.resolve(null);
        }
        return super.findByBookingId(bookingId);
      }
    }
    const { payments, authorize, refund } = setUp(new RacingPayments());
    await authorize.execute(chargeOf());
    const raced = refund.execute(refundOf());
    await expect(raced).rejects.toBeInstanceOf(PaymentAppearedConcurrentlyError);
    // Transient: the consumer retries it rather than dead-lettering a valid event.
    await expect(raced).rejects.toMatchObject({ transient: true });
    expect(payments.rows.get(BOOKING)?.status).toBe('APPROVED');
    expect(await refund.execute(refundOf())).toBe('refunded');
  });
});
