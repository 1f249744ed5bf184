/**
 * Idempotency-Key on commands (docs/architecture.md §6; IETF httpapi idempotency-key draft), over
 * `http_idempotency_record`, keyed per tenant. Mount it after `authenticate` and JSON parsing, on
 * POST (or PATCH) routes. Every path of a request:
 * - no key, or a malformed one: 400, nothing stored;
 * - the key is held for another request (method, URL, caller or body differ): 422;
 * - the key's first request is still running: 409 with `Retry-After`;
 * - the key's first request has been answered: that answer again (status, content-type, location,
 *   etag and body), with `Idempotent-Replayed: true`, and the handler does not run;
 * - else the key is claimed (IN_PROGRESS) and the handler runs. Its answer, whatever writes it
 *   (the handler, or the problem handler after a thrown error), is stored before it is sent: a 2xx
 *   or 4xx as COMPLETED, to be replayed; a 5xx releases the key so the client may retry.
 * Records live 24 hours; an expired one counts as absent.
 *
 * The handler's writes and the record are not one transaction. When the database refuses to store
 * the answer (or to release the key) with a transient error, the answer is sent all the same and
 * the store is tried again in the background, with growing waits for about ten minutes: a database
 * restart under load otherwise left every key in flight IN_PROGRESS (409) for a day. A process that
 * dies before the store succeeds still leaves the key IN_PROGRESS until it expires, which errs on
 * the side of doing nothing twice.
 */
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { TransientError } from '../../errors';
import { toTypedError, type Queryable } from '../../store/database';
import { claimHttpIdempotencyRecord, type HttpIdempotencyRecordRow } from '../../store/queries/claim-http-idempotency-record';
import { completeHttpIdempotencyRecord } from '../../store/queries/complete-http-idempotency-record';
import { releaseHttpIdempotencyRecord } from '../../store/queries/release-http-idempotency-record';
import { principalOf } from '../auth/principal';
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './errors';
import { idempotencyKeyHeader, parseIdempotencyKey, requestFingerprint } from './idempotency-key';

/** The response header that marks a replayed answer. */
export const replayedHeader = 'Idempotent-Replayed';

/** The response headers stored and replayed with the status and body. */
export const replayedResponseHeaders = ['content-type', 'location', 'etag'] as const;

/** How long a record lives: 24 hours. */
export const defaultIdempotencyTtlMs = 24 * 60 * 60 * 1000;

/** Waits before each new attempt to store an answer: 1 s doubling to 30 s, then 30 s; about 10 min in all. */
export const defaultStoreRetryDelaysMs: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000, ...Array<number>(19).fill(30_000)];

/** Tuning and reporting. */
export interface IdempotentCommandOptions {
  /** Lifetime of a record in ms (default 24 h). */
  ttlMs?: number;
  /** Where a failure to store an answer is reported (the answer is sent all the same). */
  log?: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** Waits before each new attempt to store an answer after a transient failure (default {@link defaultStoreRetryDelaysMs}). */
  storeRetryDelaysMs?: readonly number[];
}

/** The middleware (see the file header). */
export function idempotentCommand(pool: Queryable, options: IdempotentCommandOptions = {}): RequestHandler {
  const ttlMs = options.ttlMs ?? defaultIdempotencyTtlMs;
  const storeRetryDelaysMs = options.storeRetryDelaysMs ?? defaultStoreRetryDelaysMs;
  return async (req, res, next) => {
    const { tenantId, subject } = principalOf(res);
    const idempotencyKey = parseIdempotencyKey(req.get(idempotencyKeyHeader));
    const fingerprint = requestFingerprint({ method: req.method, url: req.originalUrl, subject, body: req.body });
    const record = await claimHttpIdempotencyRecord(pool, {
      tenantId,
      idempotencyKey,
      requestMethod: req.method,
      requestPath: (req.baseUrl + req.path).slice(0, 1024),
      requestFingerprint: fingerprint,
      ttlMs,
    }).catch((error: unknown) => {
      throw toTypedError(error);
    });

    if (!record.claimed) {
      if (record.request_fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (record.status === 'IN_PROGRESS') {
        res.set('Retry-After', '1');
        throw new IdempotencyRequestInProgressError();
      }
      replay(res, record);
      return;
    }

    const id = { tenantId, idempotencyKey, requestFingerprint: fingerprint };
    onAnswer(res, async (answer) => {
      const store = async () => {
        if (answer.status >= 500) await releaseHttpIdempotencyRecord(pool, id);
        else await completeHttpIdempotencyRecord(pool, { ...id, responseStatus: answer.status, responseHeaders: answer.headers, responseBody: answer.body });
      };
      const context = { method: req.method, path: req.path, status: answer.status, idempotencyKey };
      try {
        await store();
      } catch (error) {
        // The command has run; its answer must still reach the client. The key stays IN_PROGRESS
        // until a later attempt stores the answer.
        options.log?.error({ err: error, ...context }, 'idempotency record not stored');
        if (toTypedError(error) instanceof TransientError) storeLater(store, storeRetryDelaysMs, options.log, context);
      }
    });
    next();
  };
}

/**
 * Tries `store` again after each of `delaysMs` until it succeeds, a failure is not transient, or
 * the delays run out. The timers do not keep the process alive: at shutdown the key stays IN_PROGRESS.
 */
function storeLater(store: () => Promise<void>, delaysMs: readonly number[], log: IdempotentCommandOptions['log'], context: Record<string, unknown>): void {
  const attempt = (index: number) => {
    if (index >= delaysMs.length) {
      log?.error(context, 'idempotency record given up: the key stays IN_PROGRESS until it expires');
      return;
    }
    setTimeout(() => {
      store().then(
        () => log?.info({ ...context, attempts: index + 2 }, 'idempotency record stored after a retry'),
        (error: unknown) => {
          if (!(toTypedError(error) instanceof TransientError)) {
            log?.error({ err: error, ...context }, 'idempotency record not stored: the key stays IN_PROGRESS until it expires');
            return;
          }
          log?.warn({ err: error, ...context, attempts: index + 2 }, 'idempotency record still not stored');
          attempt(index + 1);
        },
      );
    }, delaysMs[index]).unref();
  };
  attempt(0);
}

/** An answer as stored: status, the replayed headers, and the body (JSON value, text, or null). */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

type End = (...args: unknown[]) => Response;

/**
 * Calls `store` with the answer once it is complete (at `res.end`) and sends it only afterwards,
 * so a client that sees the answer and repeats the request meets a settled record.
 */
function onAnswer(res: Response, store: (answer: Answer) => Promise<void>): void {
  let json: { value: unknown } | undefined;
  const originalJson = res.json.bind(res);
  res.json = (body: unknown) => {
    json = { value: body };
    return originalJson(body);
  };
  const originalEnd = res.end.bind(res) as End;
  let stored = false;
  (res as unknown as { end: End }).end = (...args: unknown[]) => {
    if (stored) return originalEnd(...args);
    stored = true;
    const headers: Record<string, string> = {};
    for (const name of replayedResponseHeaders) {
      const value = res.get(name);
      if (value !== undefined) headers[name] = value;
    }
    const body = json === undefined ? bodyOfChunk(args[0], headers['content-type']) : json.value;
    void store({ status: res.statusCode, headers, body }).finally(() => originalEnd(...args));
    return res;
  };
}

const isJson = (contentType: string | undefined) => contentType !== undefined && /[/+]json\b/i.test(contentType);

function bodyOfChunk(chunk: unknown, contentType: string | undefined): unknown {
  if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk)) return null;
  const text = chunk.toString();
  if (!isJson(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Sends a stored answer again. */
function replay(res: Response, record: HttpIdempotencyRecordRow): void {
  const headers = record.response_headers ?? {};
  res.status(record.response_status ?? 200);
  for (const [name, value] of Object.entries(headers)) res.set(name, value);
  res.set(replayedHeader, 'true');
  const body = record.response_body;
  if (isJson(headers['content-type'])) res.send(JSON.stringify(body));
  else if (typeof body === 'string') res.send(body);
  else res.end();
}
