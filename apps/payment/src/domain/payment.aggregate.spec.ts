import { Payment } from './payment.aggregate';

const charge = { bookingId: 'b-1', customerId: 'c-1', amount: 30_000, method: 'card' };

function settled(outcome: Parameters<Payment['settle']>[0]): Payment {
  const payment = Payment.intend(charge);
  payment.settle(outcome);
  return payment;
}

describe('Payment', () => {
  it('starts as a PENDING intent that raises nothing until the provider answers', () => {
    const intent = Payment.intend(charge);
    expect(intent.status).toBe('PENDING');
    expect(intent.pullEvents()).toEqual([]);
    expect(intent.refund('X')).toBe(false);
  });

  it('settles once with the provider answer; a second answer changes nothing', () => {
    const payment = Payment.intend(charge);
    expect(payment.settle({ approved: true })).toBe(true);
    expect(payment.settle({ approved: false, reason: 'CARD_DECLINED' })).toBe(false);
    expect(payment.status).toBe('APPROVED');
    expect(payment.pullEvents().map((event) => event.type)).toEqual(['PaymentApproved']);
    const declined = settled({ approved: false, reason: 'CARD_DECLINED' });
    expect(declined.snapshot()).toMatchObject({ status: 'DECLINED', declineReason: 'CARD_DECLINED' });
  });

  it('gives back at once a charge that lands after the booking gave up', () => {
    const payment = Payment.intend(charge);
    expect(payment.voidPending('PAYMENT_UNAVAILABLE')).toBe(true);
    expect(payment.settle({ approved: true })).toBe(true);
    expect(payment.settle({ approved: true })).toBe(false);
    expect(payment.snapshot()).toMatchObject({ status: 'REFUNDED', refundReason: 'PAYMENT_UNAVAILABLE' });
    expect(payment.pullEvents().map((event) => event.type)).toEqual(['PaymentRefunded']);
    const declinedLate = Payment.intend(charge);
    declinedLate.voidPending('PAYMENT_UNAVAILABLE');
    expect(declinedLate.settle({ approved: false, reason: 'CARD_DECLINED' })).toBe(false);
    expect(declinedLate.status).toBe('VOIDED');
  });

  it('refunds an approved charge exactly once', () => {
    const payment = settled({ approved: true });
    expect(payment.refund('CUSTOMER_REQUEST')).toBe(true);
    expect(payment.refund('CUSTOMER_REQUEST')).toBe(false);
    expect(payment.snapshot()).toMatchObject({ status: 'REFUNDED', refundReason: 'CUSTOMER_REQUEST' });
    expect(payment.pullEvents().map((event) => event.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('has nothing to refund when declined or voided', () => {
    expect(settled({ approved: false, reason: 'CARD_DECLINED' }).refund('X')).toBe(false);
    const voided = Payment.void(
      { bookingId: 'b-1', customerId: 'c-1', amount: 30_000 },
      'PAYMENT_UNAVAILABLE',
    );
    expect(voided.refund('X')).toBe(false);
    expect(voided.pullEvents()).toEqual([]);
  });
});
