export * from './dependency-unavailable.error';
export * from './resilience-policy';
