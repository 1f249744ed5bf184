/**
 * Typed errors. Every error the runtime raises on purpose is one of three kinds, because each kind
 * maps to a different engine outcome (docs/architecture.md §3, seed §15):
 * - transient: infrastructure hiccup, retry the job with back-off;
 * - business: a fact about the order (fallout, rejected, conflict), never retried blindly;
 * - bug: the code or the model is wrong, raise an incident at once.
 * Each carries a stable code (`TASK.INVALID_TRANSITION`), a message for people and metadata for logs.
 */

export type ErrorKind = 'transient' | 'business' | 'bug';

/** Base of every typed error. */
export abstract class FulfillmentError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Infrastructure failed in a way that a retry may fix (database down, timeout, HTTP 503). */
export class TransientError extends FulfillmentError {
  readonly kind = 'transient' as const;
}

/** A business rule said no; the order goes to fallout or the caller gets a 4xx. */
export class BusinessError extends FulfillmentError {
  readonly kind = 'business' as const;
}

/** Programming or modelling error: retrying cannot help. */
export class BugError extends FulfillmentError {
  readonly kind = 'bug' as const;
}

/** A state transition that the state machine does not allow. */
export class InvalidTransitionError extends BusinessError {
  constructor(entity: string, from: string, to: string, details: Record<string, unknown> = {}) {
    super(`${entity.toUpperCase()}.INVALID_TRANSITION`, `${entity} cannot move from ${from} to ${to}`, {
      entity,
      from,
      to,
      ...details,
    });
  }
}

/** A write based on a stale version (optimistic locking); reload and decide again. */
export class ConcurrencyConflictError extends BusinessError {
  constructor(entity: string, id: string, expectedVersion: number | bigint) {
    super(
      `${entity.toUpperCase()}.VERSION_CONFLICT`,
      `${entity} ${id} was changed by someone else (expected version ${expectedVersion})`,
      { entity, id, expectedVersion: String(expectedVersion) },
    );
  }
}

/** The object does not exist for this tenant. */
export class NotFoundError extends BusinessError {
  constructor(entity: string, id: string) {
    super(`${entity.toUpperCase()}.NOT_FOUND`, `${entity} ${id} not found`, { entity, id });
  }
}

/** Input failed validation at a boundary (a request body, job variables, a catalog entry). */
export class ValidationError extends BusinessError {
  constructor(message: string, readonly issues: readonly { path: string; message: string }[] = []) {
    super('INPUT.INVALID', message, { issues });
  }
}

/** True when a retry of the same operation may succeed. */
export function isTransient(error: unknown): error is TransientError {
  return error instanceof TransientError;
}

/**
 * The task failed for a business reason (external rejection, resource conflict, policy): the
 * job completes with `currentTaskResult = FALLOUT` and the model opens a fallout case (seed §15,
 * §17). `code` becomes the fallout category hint, the message the fallout reason.
 */
export class FalloutError extends BusinessError {}

/**
 * A business outcome the model catches with an error boundary or event subprocess: the job is
 * answered with a BPMN error of `errorCode` (Zeebe's ThrowError).
 */
export class BpmnError extends BusinessError {
  constructor(
    readonly errorCode: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(`BPMN.${errorCode}`, message, details);
  }
}

/** A caller could not prove who it is (bad or missing signature, unknown credentials): HTTP 401. */
export class AuthenticationError extends BusinessError {
  constructor(message: string) {
    super('AUTH.UNAUTHENTICATED', message);
  }
}
