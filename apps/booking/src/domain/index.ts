export * from './booking-request.policy';
export * from './booking.aggregate';
export * from './booking.errors';
