import { RentalPeriod } from '@storage/ddd';
import { Booking, type BookingEvent } from './booking.aggregate';
import { BookingStateError } from './booking.errors';
import { bookablePeriod, priceOf } from './booking-request.policy';
import { AmountTooLargeError, RentalTooLongError, StartDateInPastError } from './booking.errors';

const period = RentalPeriod.of('2030-03-01', '2030-03-11');
const newBooking = () =>
  Booking.request({ customerId: 'c-1', size: 'M', period, dailyRate: 5000, idempotencyKey: 'key-12345' });
const types = (events: BookingEvent[]) => events.map((event) => event.type);

describe('Booking', () => {
  it('re-announces a stalled paid booking before its start, and gives up (refund) from its start date', () => {
    const stalled = newBooking();
    stalled.markPaid('pay-1');
    stalled.pullEvents();
    expect(stalled.redriveOrExpire('2030-02-28')).toBe('redriven');
    expect(stalled.status).toBe('PAID');
    expect(types(stalled.pullEvents())).toEqual(['BookingPlaced']);
    expect(stalled.redriveOrExpire('2030-03-01')).toBe('expired');
    expect(stalled.snapshot()).toMatchObject({ status: 'REJECTED', rejectionReason: 'NO_UNIT_AVAILABLE' });
    expect(types(stalled.pullEvents())).toEqual(['BookingRejected']);
    expect(stalled.redriveOrExpire('2030-03-02')).toBe('unchanged');
    const confirmed = newBooking();
    confirmed.markPaid('pay-2');
    confirmed.assignUnit('unit-1', 'M-001');
    expect(confirmed.redriveOrExpire('2030-02-01')).toBe('unchanged');
  });

  it('is priced rate x days and waits for its payment', () => {
    const booking = newBooking().snapshot();
    expect(booking).toMatchObject({ amount: 50_000, days: 10, status: 'PAYMENT_PENDING', paymentId: null });
  });

  it('is accepted only with an approved payment, then confirmed by a unit', () => {
    const booking = newBooking();
    booking.markPaid('pay-1');
    expect(booking.status).toBe('PAID');
    expect(booking.assignUnit('unit-1', 'M-001')).toBe(true);
    expect(booking.snapshot()).toMatchObject({ status: 'CONFIRMED', unitCode: 'M-001', paymentId: 'pay-1' });
    expect(types(booking.pullEvents())).toEqual(['BookingPlaced', 'BookingConfirmed']);
    expect(booking.pullEvents()).toEqual([]);
  });

  it('records a declined payment as REJECTED and never as accepted', () => {
    const booking = newBooking();
    booking.rejectPayment('CARD_DECLINED', 'pay-1');
    expect(booking.snapshot()).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(() => booking.markPaid('pay-1')).toThrow(BookingStateError);
  });

  it('records the same payment once: again changes nothing, another payment on a paid booking is refused', () => {
    const booking = newBooking();
    expect(booking.markPaid('pay-1')).toBe(true);
    booking.pullEvents();
    const paid = booking.snapshot();
    expect(booking.markPaid('pay-1')).toBe(false);
    expect(booking.snapshot()).toEqual(paid);
    expect(booking.pullEvents()).toEqual([]);
    expect(() => booking.markPaid('pay-2')).toThrow(BookingStateError);
  });

  it('records the same decline once: again changes nothing, a payment after it is refused', () => {
    const booking = newBooking();
    expect(booking.rejectPayment('CARD_DECLINED', 'pay-1')).toBe(true);
    booking.pullEvents();
    expect(booking.rejectPayment('CARD_DECLINED', 'pay-1')).toBe(false);
    expect(booking.pullEvents()).toEqual([]);
    expect(() => booking.rejectPayment('OTHER', 'pay-1')).toThrow(BookingStateError);
  });

  it('frees its idempotency key when payment never answered', () => {
    const booking = newBooking();
    expect(booking.abandonPayment()).toBe(true);
    expect(booking.snapshot()).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_UNAVAILABLE',
      idempotencyKey: null,
    });
    expect(booking.abandonPayment()).toBe(false);
    expect(types(booking.pullEvents())).toEqual(['BookingRejected']);
  });

  it('is rejected when no unit is free, only while paid', () => {
    const booking = newBooking();
    expect(booking.rejectForNoUnit()).toBe(false);
    booking.markPaid('pay-1');
    expect(booking.rejectForNoUnit()).toBe(true);
    expect(booking.assignUnit('unit-1', 'M-001')).toBe(false);
    expect(booking.snapshot().rejectionReason).toBe('NO_UNIT_AVAILABLE');
  });

  it('moves to a replacement unit but ignores a repeated assignment', () => {
    const booking = newBooking();
    booking.markPaid('pay-1');
    booking.assignUnit('unit-1', 'M-001');
    expect(booking.assignUnit('unit-1', 'M-001')).toBe(false);
    expect(booking.assignUnit('unit-2', 'M-002')).toBe(true);
    expect(booking.snapshot().unitCode).toBe('M-002');
  });

  it('can be cancelled before the start date only', () => {
    const early = newBooking();
    early.markPaid('pay-1');
    early.cancel('2030-02-28');
    expect(early.snapshot()).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });

    const late = newBooking();
    late.markPaid('pay-1');
    expect(() => late.cancel('2030-03-01')).toThrow('the rental started on 2030-03-01');

    const pending = newBooking();
    expect(() => pending.cancel('2030-01-01')).toThrow('it is PAYMENT_PENDING');
  });

  it('is cancelled when its unit is retired and nothing else is free', () => {
    const booking = newBooking();
    booking.markPaid('pay-1');
    booking.assignUnit('unit-1', 'M-001');
    expect(booking.cancelForRetiredUnit()).toBe(true);
    expect(booking.snapshot().cancellationReason).toBe('UNIT_RETIRED');
    expect(booking.cancelForRetiredUnit()).toBe(false);
  });

  it('checks out once the rental has started', () => {
    const booking = newBooking();
    booking.markPaid('pay-1');
    expect(() => booking.checkOut('2030-03-05')).toThrow('it is PAID');
    booking.assignUnit('unit-1', 'M-001');
    expect(() => booking.checkOut('2030-02-01')).toThrow('the rental starts on 2030-03-01');
    booking.checkOut('2030-03-05');
    expect(booking.status).toBe('COMPLETED');
    expect(types(booking.pullEvents()).at(-1)).toBe('BookingCompleted');
  });
});

describe('bookablePeriod', () => {
  const now = new Date('2030-01-15T12:00:00Z');

  it('accepts a period starting today', () => {
    expect(bookablePeriod('2030-01-15', '2030-01-16', 365, now).days).toBe(1);
  });

  it('refuses a start in the past and an over-long rental', () => {
    expect(() => bookablePeriod('2030-01-14', '2030-01-20', 365, now)).toThrow(StartDateInPastError);
    expect(() => bookablePeriod('2030-01-15', '2031-01-16', 365, now)).toThrow(RentalTooLongError);
  });
});

describe('priceOf', () => {
  it('prices rate x days up to the most one charge may carry, and refuses more with both figures', () => {
    expect(priceOf(5000, period, 50_000)).toBe(50_000);
    expect(() => priceOf(5001, period, 50_000)).toThrow(AmountTooLargeError);
    expect(() => priceOf(5001, period, 50_000)).toThrow(/at most 50000 KRW; this one would cost 50010 KRW/);
  });
});
