/**
 * The PostgreSQL store: connection and transactions, orders, plans, task transitions and the
 * outbox. Only this folder (with engine, adapters, relays and http) touches the outside world; the
 * domain it persists stays pure.
 */
export * from './database';
export * from './order-repository';
export * from './plan-repository';
export * from './task-transitions';
export * from './outbox';
export * from './message-correlations';
