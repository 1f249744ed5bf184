/**
 * Problem documents (RFC 9457) as Camunda's Orchestration Cluster API answers them: every error
 * is `application/problem+json` with `type`, `title`, `status`, `detail` and `instance` (the
 * request path). Titles follow Camunda's gateway: the HTTP reason phrase ("Bad Request",
 * "Not Found", "Method Not Allowed") for a request it cannot read or route, the rejection type
 * (`INVALID_ARGUMENT`, `NOT_FOUND`, `INVALID_STATE`, ...) for one its validators or the engine
 * refuse. A problem never carries a stack trace, a file path or an unexpected error's message.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { CommandRejection } from '../interpreter/rejection';

/** An RFC 9457 problem document. */
export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  instance: string;
}

/** A request the REST layer refuses, with the status and title it answers with. */
export class HttpProblem extends Error {
  /** Stable code: `REST.<status>`. */
  readonly code: string;
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** Headers to send with the problem (e.g. `Allow` with a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.code = `REST.${status}`;
  }
}

/** A problem titled with the status's reason phrase, as Spring titles the problems it raises itself. */
export function httpProblem(status: number, detail: string, headers: Record<string, string> = {}): HttpProblem {
  return new HttpProblem(status, STATUS_CODES[status] ?? 'Error', detail, headers);
}

const rejectionStatus = { NOT_FOUND: 404, INVALID_STATE: 409, INVALID_ARGUMENT: 400, ALREADY_EXISTS: 409, PROCESSING_ERROR: 500 } as const;

/** The body parser's errors (`type` names its failure; `expose` marks a client error). */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
}

function bodyParserDetail(type: unknown, error: BodyParserError): string {
  switch (type) {
    case 'entity.parse.failed':
      return 'Failed to read request: the body is not valid JSON.';
    case 'entity.too.large':
      return `Failed to read request: the body is larger than ${typeof error.limit === 'number' ? `${Math.floor(error.limit / 1024 / 1024)}mb` : 'the limit'}.`;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'Failed to read request: unsupported content encoding or charset.';
    default:
      return 'Failed to read request.';
  }
}

/**
 * The problem that answers an error thrown while handling `path`. An error the REST layer or the
 * engine raised on purpose keeps its message; any other is a 500 whose message stays in the log.
 */
export function problemFor(error: unknown, path: string): { problem: Problem; headers: Record<string, string> } {
  const problem = (status: number, title: string, detail: string): Problem => ({ type: 'about:blank', title, status, detail, instance: path });
  if (error instanceof HttpProblem) return { problem: problem(error.status, error.title, error.detail), headers: error.headers };
  if (error instanceof CommandRejection) return { problem: problem(rejectionStatus[error.type], error.type, error.message), headers: {} };
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
  const status = candidate.status;
  // The body parser marks what the client caused with a 4xx status and `expose`; express's
  // router, a path parameter it cannot decode, with a URIError of status 400.
  if (typeof status === 'number' && status >= 400 && status < 500 && (candidate.expose === true || error instanceof URIError)) {
    const detail = error instanceof URIError ? 'Failed to decode a path parameter.' : bodyParserDetail(candidate.type, candidate);
    return { problem: problem(status, STATUS_CODES[status] ?? 'Bad Request', detail), headers: {} };
  }
  return { problem: problem(500, STATUS_CODES[500]!, 'Unexpected error occurred during the request processing.'), headers: {} };
}

/** Sends a problem document. */
export function sendProblem(response: Response, problem: Problem, headers: Record<string, string> = {}): void {
  response.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

/** The request path, without the query, as Camunda fills `instance`. */
function pathOf(request: Request): string {
  return request.originalUrl.split('?')[0] ?? request.originalUrl;
}

/** Answers every request no route took: 404 problem. */
export const notFound: RequestHandler = (request, response) => {
  sendProblem(response, problemFor(httpProblem(404, `No endpoint ${request.method} ${pathOf(request)}.`), pathOf(request)).problem);
};

/**
 * The last middleware: turns any error into a problem document. Unexpected errors go to `log`
 * with their stack; the client sees only that one occurred.
 */
export function problemHandler(log: (message: string, error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const { problem, headers } = problemFor(error, pathOf(request));
    // a rejection or a problem raised on purpose (a 504 for a request that timed out) is no fault to log
    if (problem.status >= 500 && !(error instanceof CommandRejection) && !(error instanceof HttpProblem)) log(`local engine REST: ${request.method} ${pathOf(request)} failed`, error);
    sendProblem(response, problem, headers);
  };
}
