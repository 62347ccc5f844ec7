export * from './http-error.filter';
export * from './run-service';
export * from './validation.pipe';
