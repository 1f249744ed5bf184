/**
 * The fulfillment domain core: pure functions and schemas, no I/O. Workers, the store and the HTTP
 * API import from here; each module below is one concept (STYLE.md "the folder is the feature").
 */
export * from './vocabulary';
export * from './duration';
export * from './snapshot-hash';
export * from './policies';
export * from './order';
export * from './catalog';
export * from './catalog-default';
export * from './fulfillment-plan';
export * from './id-factory';
export * from './decomposition';
export * from './plan-validation';
export * from './plan-table';
export * from './state-machine';
export * from './task-state-machine';
export * from './plan-state-machine';
export * from './fallout-case-state-machine';
export * from './ready-tasks';
export * from './compensation';
export * from './completion-policy';
export * from './asset-impact';
