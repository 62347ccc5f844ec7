import { BOOKING_STATUSES, bookingFate } from './booking-api.v1';

describe('bookingFate', () => {
  it('gives every status booking publishes one meaning for what others hold', () => {
    expect(Object.fromEntries(BOOKING_STATUSES.map((status) => [status, bookingFate(status)]))).toEqual({
      PAYMENT_PENDING: 'undecided',
      PAID: 'undecided',
      CONFIRMED: 'kept',
      COMPLETED: 'kept',
      REJECTED: 'given-up',
      CANCELLED: 'given-up',
    });
  });

  it('leaves a booking that booking does not know undecided: asked again, nothing given back', () => {
    expect(bookingFate(null)).toBe('undecided');
  });
});
