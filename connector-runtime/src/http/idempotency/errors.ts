/** Typed errors of the Idempotency-Key protocol (a missing or malformed key is a ValidationError: 400). */
import { BusinessError } from '../../errors';

/** The key was used before with another request (method, path or body): HTTP 422. */
export class IdempotencyKeyReusedError extends BusinessError {
  constructor() {
    super('IDEMPOTENCY.KEY_REUSED', 'this Idempotency-Key was used with another request; use a new key for a new request');
  }
}

/** The first request with this key is still being processed: HTTP 409, try again shortly. */
export class IdempotencyRequestInProgressError extends BusinessError {
  constructor() {
    super('IDEMPOTENCY.IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
  }
}
