/**
 * RFC 9457 problem details. Every error that leaves the HTTP API is `application/problem+json`
 * whose `title` is the reason phrase of its `status`, with the request's id (`requestId`) and, for
 * a typed error, a stable `code`; a stack trace never leaves. A 5xx is logged with the method,
 * path and request id, never the body.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import {
  AuthenticationError,
  ConcurrencyConflictError,
  FulfillmentError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from '../errors';
import { ForbiddenError } from './auth/errors';
import { IdempotencyRequestInProgressError } from './idempotency/errors';
import { OrderPreconditionFailedError } from './order-commands/order-commands-router';
import { ExternalRefTakenError } from './orders/order-intake';

/** The body of a problem response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
  /** The `X-Request-Id` of the exchange, so a caller's report finds the server's log line. */
  requestId?: string;
  errors?: readonly { path: string; message: string }[];
}

/** Where the app's first middleware keeps the request id (`res.locals`). */
export const requestIdLocal = 'requestId';

/** The id of the request `res` answers, once the app has assigned one. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals[requestIdLocal];
  return typeof id === 'string' ? id : undefined;
}

/** The reason phrase of `status`: the title of every problem, so title and status never disagree. */
export function titleFor(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}

/** Writes a problem response (its title from the status, its request id from the exchange). */
export function sendProblem(res: Response, problem: Omit<Problem, 'title'>): void {
  const requestId = requestIdOf(res);
  const { type, ...rest } = problem;
  const body: Problem = { type, title: titleFor(problem.status), ...rest, ...(requestId === undefined ? {} : { requestId }) };
  res.status(problem.status).type('application/problem+json').json(body);
}

/** Maps a typed error to its HTTP status: the kind decides, specific classes refine. */
export function statusFor(error: FulfillmentError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof AuthenticationError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof OrderPreconditionFailedError) return 412;
  if (
    error instanceof ConcurrencyConflictError ||
    error instanceof InvalidTransitionError ||
    error instanceof IdempotencyRequestInProgressError ||
    error instanceof ExternalRefTakenError
  ) {
    return 409;
  }
  if (error.kind === 'business') return 422;
  if (error.kind === 'transient') return 503;
  return 500;
}

/** Unknown routes. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, { type: 'about:blank', status: 404, detail: `No route for ${req.method} ${req.path}`, instance: req.originalUrl });
};

/** A known route called with a method it does not serve: 405 with the methods it does serve. */
export function sendMethodNotAllowed(req: Request, res: Response, allowed: readonly string[]): void {
  res.set('Allow', allowed.join(', '));
  sendProblem(res, {
    type: 'about:blank',
    status: 405,
    detail: `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}`,
    instance: req.originalUrl,
  });
}

/** The last middleware: turns any error into a problem response and logs what people must see. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // Method, path and id find the request; the body is never logged (it may carry personal data).
    const logServerError = (status: number, fields: Record<string, unknown>, message: string) =>
      log.error({ err: error, ...fields, status, method: req.method, path: req.path, requestId: requestIdOf(res) }, message);

    // body-parser marks its own errors (malformed JSON, too large, unsupported charset or encoding) with a 4xx status.
    const parserStatus = (error as { status?: unknown }).status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      sendProblem(res, { type: 'about:blank', status: parserStatus, detail: (error as Error).message, instance: req.originalUrl });
      return;
    }
    if (error instanceof FulfillmentError) {
      const status = statusFor(error);
      if (status >= 500) logServerError(status, { code: error.code }, 'request failed');
      sendProblem(res, {
        type: `urn:fulfillment-pack:problem:${error.code}`,
        status,
        detail: error.message,
        code: error.code,
        instance: req.originalUrl,
        ...(error instanceof ValidationError && error.issues.length > 0 ? { errors: error.issues } : {}),
      });
      return;
    }
    logServerError(500, {}, 'unexpected error');
    sendProblem(res, {
      type: 'about:blank',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance: req.originalUrl,
    });
  };
}
