export * from './dependency-unavailable.error';
export * from './resilience-policy';
export * from './resilience.metrics';
