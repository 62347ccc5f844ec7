export * from './json-logger';
export * from './async-slot';
export * from './request-context';
export type { Logger } from 'pino';
export * from './metrics';
export * from './tracing';
export * from './own-source-maps';
