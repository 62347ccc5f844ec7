export * from './payment.aggregate';
export * from './payment.errors';
export * from './payment-decision.policy';
