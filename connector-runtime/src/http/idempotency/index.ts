/** Idempotency-Key on the order API's commands: the middleware, its key rules and its errors. */
export {
  defaultIdempotencyTtlMs,
  idempotentCommand,
  replayedHeader,
  replayedResponseHeaders,
  type IdempotentCommandOptions,
} from './idempotent-command';
export { canonicalJson, idempotencyKeyHeader, parseIdempotencyKey, requestFingerprint } from './idempotency-key';
export { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './errors';
