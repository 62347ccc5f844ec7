export * from './payment.aggregate';
export * from './payment.errors';
