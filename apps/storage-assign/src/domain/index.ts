export * from './assignment.aggregate';
export * from './assignment-failure.aggregate';
export * from './default-inventory';
export * from './storage-unit.aggregate';
export * from './storage.errors';
