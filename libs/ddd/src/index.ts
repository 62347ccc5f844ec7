export * from './actor';
export * from './aggregate-root';
export * from './change-locked';
export * from './domain-error';
export * from './rental-period';
export * from './unit-of-work.port';
export * from './transient-faults.port';
