export * from './base-config';
export * from './load-config';
export * from './env-transforms';
export * from './constraint-messages';
