export * from './caller';
export * from './data-service.module';
export * from './http-error.filter';
export * from './internal-auth';
export * from './internal-call-headers';
export * from './page.query';
export * from './run-service';
export * from './validation.pipe';
