import { Payment } from './payment.aggregate';
import { declineReasonFor } from './payment-decision.policy';

const charge = { bookingId: 'b-1', customerId: 'c-1', amount: 30_000, method: 'card' };

describe('Payment', () => {
  it('refunds an approved charge exactly once', () => {
    const payment = Payment.approve(charge);
    expect(payment.refund('CUSTOMER_REQUEST')).toBe(true);
    expect(payment.refund('CUSTOMER_REQUEST')).toBe(false);
    expect(payment.snapshot()).toMatchObject({ status: 'REFUNDED', refundReason: 'CUSTOMER_REQUEST' });
    expect(payment.pullEvents().map((event) => event.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('has nothing to refund when declined or voided', () => {
    expect(Payment.decline(charge, 'CARD_DECLINED').refund('X')).toBe(false);
    const voided = Payment.void(
      { bookingId: 'b-1', customerId: 'c-1', amount: 30_000 },
      'PAYMENT_UNAVAILABLE',
    );
    expect(voided.refund('X')).toBe(false);
    expect(voided.pullEvents()).toEqual([]);
  });
});

describe('declineReasonFor', () => {
  it('declines the test method and amounts over the limit, deterministically', () => {
    expect(declineReasonFor(100, 'card-declined', 1000)).toBe('CARD_DECLINED');
    expect(declineReasonFor(1001, 'card', 1000)).toBe('LIMIT_EXCEEDED');
    expect(declineReasonFor(1000, 'card', 1000)).toBeNull();
  });
});
