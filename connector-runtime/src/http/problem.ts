/**
 * RFC 9457 problem details. Every error that leaves the HTTP API is `application/problem+json`
 * with a stable `code`; a stack trace never does.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import {
  AuthenticationError,
  ConcurrencyConflictError,
  FulfillmentError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from '../errors';

/** The body of a problem response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
  errors?: readonly { path: string; message: string }[];
}

/** Writes a problem response. */
export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').json(problem);
}

/** Maps a typed error to its HTTP status: the kind decides, specific classes refine. */
export function statusFor(error: FulfillmentError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof AuthenticationError) return 401;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConcurrencyConflictError || error instanceof InvalidTransitionError) return 409;
  if (error.kind === 'business') return 422;
  if (error.kind === 'transient') return 503;
  return 500;
}

/** Unknown routes. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: `No route for ${req.method} ${req.path}`,
    instance: req.originalUrl,
  });
};

/** The last middleware: turns any error into a problem response and logs what people must see. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // body-parser marks its own errors (malformed JSON, too large) with a 4xx status.
    const parserStatus = (error as { status?: unknown; type?: unknown }).status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      sendProblem(res, {
        type: 'about:blank',
        title: parserStatus === 413 ? 'Payload Too Large' : 'Bad Request',
        status: parserStatus,
        detail: (error as Error).message,
        instance: req.originalUrl,
      });
      return;
    }
    if (error instanceof FulfillmentError) {
      const status = statusFor(error);
      if (status >= 500) log.error({ err: error, code: error.code }, 'request failed');
      sendProblem(res, {
        type: `urn:fulfillment-pack:problem:${error.code}`,
        title: error.code,
        status,
        detail: error.message,
        code: error.code,
        instance: req.originalUrl,
        ...(error instanceof ValidationError && error.issues.length > 0 ? { errors: error.issues } : {}),
      });
      return;
    }
    log.error({ err: error }, 'unexpected error');
    sendProblem(res, {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance: req.originalUrl,
    });
  };
}
