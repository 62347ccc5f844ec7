import { RentalPeriod } from '@storage/ddd';
import { Booking } from '../domain';
import { RecentBookings } from './recent-bookings';

const placed = () => {
  const booking = Booking.request({
    customerId: 'alice',
    size: 'S',
    period: RentalPeriod.of('2040-01-01', '2040-01-11'),
    dailyRate: 1000,
    idempotencyKey: null,
  });
  booking.markPaid('payment-1');
  return booking.snapshot();
};

describe('RecentBookings', () => {
  it('hands out a copy of a remembered booking once', () => {
    const recent = new RecentBookings();
    const booking = placed();
    recent.remember(booking);
    const copy = recent.take(booking.id);
    expect(copy?.snapshot()).toEqual(booking);
    // A copy, not the remembered state: changing it changes nothing remembered.
    copy?.assignUnit('unit-1', 'S-1');
    expect(booking.status).toBe('PAID');
    expect(recent.take(booking.id)).toBeUndefined();
  });

  it('forgets the oldest booking beyond a thousand', () => {
    const recent = new RecentBookings();
    const bookings = Array.from({ length: 1001 }, placed);
    bookings.forEach((booking) => recent.remember(booking));
    expect(recent.take(bookings[0].id)).toBeUndefined();
    expect(recent.take(bookings[1].id)?.id).toBe(bookings[1].id);
    expect(recent.take(bookings[1000].id)?.id).toBe(bookings[1000].id);
  });
});
