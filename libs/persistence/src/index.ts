export * from './column-helpers';
export * from './ensure-database';
export * from './persistence.module';
export * from './transaction-context';
export * from './probe-database';
export * from './reconciliation-columns';
export * from './update-row';
export * from './service-client';
