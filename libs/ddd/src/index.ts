export * from './aggregate-root';
export * from './domain-error';
export * from './unit-of-work.port';
