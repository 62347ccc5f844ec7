export * from './caller';
export * from './http-error.filter';
export * from './internal-auth';
export * from './internal-call-headers';
export * from './run-service';
export * from './validation.pipe';
