/**
 * The HTTP client of one partner system: `POST {baseUrl}/{system}/tasks` with the request as JSON
 * and the external idempotency key as `Idempotency-Key`, so a repeated request (a retried job) is
 * answered from the partner's memory instead of being performed twice (seed §9).
 *
 * Every answer maps to exactly one outcome:
 * - 2xx with `{status: 'DONE', reference, result}` -> DONE; with `{status: 'ACCEPTED', reference}`
 *   -> ACCEPTED (a signed callback follows). The body decides, not the 200/202 code.
 * - 408, 425, 429, 5xx, network error, timeout -> `TransientError('PARTNER.UNAVAILABLE')`; a
 *   `Retry-After` header becomes `details.retryBackoffMs`, otherwise the task's retry policy waits.
 * - any other 4xx -> {@link PartnerRejectedError} (the partner said no: business fallout).
 * - a 2xx body that is not one of the two shapes, or any other status -> `BugError('PARTNER.BAD_RESPONSE')`.
 * Error messages name the system and the status, never the request body (it carries customer data).
 */
import { z } from 'zod';
import { BugError, TransientError } from '../errors';
import { PartnerRejectedError, type PartnerAdapter, type PartnerOutcome, type PartnerRequest, type PartnerSystem } from './partner-adapter';
import { partnerOperation } from './partner-operations';

/** How long a partner may take to answer when nothing else is configured, in ms. */
export const defaultPartnerTimeoutMs = 10_000;

/** Options of {@link HttpPartnerAdapter}. */
export interface HttpPartnerAdapterOptions {
  system: PartnerSystem;
  /** Base URL of the partner API; the adapter posts to `{baseUrl}/{system}/tasks`. */
  baseUrl: string;
  /** Time allowed for the whole exchange (connect, answer, body), in ms; default {@link defaultPartnerTimeoutMs}. */
  timeoutMs?: number;
  /** The fetch to use (tests); default the global `fetch`. */
  fetch?: typeof fetch;
}

/** The partner answers of a successful request (the body of a 2xx). */
export const partnerAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('DONE'), reference: z.string().min(1).max(256), result: z.record(z.string(), z.json()).default({}) }),
  z.object({ status: z.literal('ACCEPTED'), reference: z.string().min(1).max(256) }),
]);

// What a refusal may say about itself: our simulator's and RFC 9457 problem fields.
const refusalSchema = z.looseObject({
  code: z.string().min(1).max(100).optional(),
  message: z.string().min(1).max(500).optional(),
  title: z.string().min(1).max(500).optional(),
  detail: z.string().min(1).max(500).optional(),
});

/** The longest wait a `Retry-After` may ask for; a bogus header must not park a task for days. */
export const maxRetryAfterMs = 3_600_000;

/** Statuses a retry may cure besides 5xx (request timeout, too early, too many requests). */
const transientStatuses = new Set([408, 425, 429]);

/** The wait a `Retry-After` header asks for (delta-seconds or an HTTP date), in ms, at most {@link maxRetryAfterMs}; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(maxRetryAfterMs, Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.min(maxRetryAfterMs, Math.max(0, date - now));
}

/** A {@link PartnerAdapter} over HTTP. */
export class HttpPartnerAdapter implements PartnerAdapter {
  readonly system: PartnerSystem;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: HttpPartnerAdapterOptions) {
    this.system = options.system;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/${options.system}/tasks`;
    this.timeoutMs = options.timeoutMs ?? defaultPartnerTimeoutMs;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends the request once; see the file header for how each answer maps. */
  async perform(request: PartnerRequest): Promise<PartnerOutcome> {
    // Asking a partner for something it does not do is a modelling bug, not a partner refusal.
    partnerOperation(this.system, request.taskType);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': request.idempotencyKey },
        body: JSON.stringify({
          taskType: request.taskType,
          tenantId: request.tenantId,
          orderId: request.orderId,
          orderItemId: request.orderItemId,
          taskId: request.taskId,
          externalCorrelationId: request.externalCorrelationId,
          input: request.input,
        }),
        signal,
      });
      // The body is read under the same deadline: a partner that stalls mid-answer has not answered.
      text = await response.text();
    } catch (error) {
      throw this.unavailable(signal.aborted ? `${this.system} did not answer within ${this.timeoutMs} ms` : `${this.system} is unreachable (${describe(error)})`, undefined, undefined, error);
    }

    const { status } = response;
    if (status >= 200 && status < 300) return this.answer(status, text);
    if (status >= 500 || transientStatuses.has(status)) {
      throw this.unavailable(`${this.system} answered ${status}`, status, retryAfterMs(response.headers.get('retry-after')));
    }
    if (status >= 400) {
      const refusal = refusalSchema.safeParse(parseJson(text));
      const said = refusal.success ? refusal.data : {};
      throw new PartnerRejectedError(this.system, status, said.code ?? 'REJECTED', said.message ?? said.detail ?? said.title ?? `HTTP ${status}`);
    }
    throw new BugError('PARTNER.BAD_RESPONSE', `${this.system} answered an unexpected status ${status}`, { system: this.system, status });
  }

  private answer(status: number, text: string): PartnerOutcome {
    const parsed = partnerAnswerSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      // Names the fields that failed, not their values: the body is the partner's, possibly personal data.
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new BugError('PARTNER.BAD_RESPONSE', `${this.system} answered ${status} with a body that is not a partner answer (${issues})`, { system: this.system, status });
    }
    const answer = parsed.data;
    return answer.status === 'DONE' ? { kind: 'DONE', reference: answer.reference, result: answer.result } : { kind: 'ACCEPTED', reference: answer.reference };
  }

  private unavailable(message: string, status: number | undefined, backoffMs?: number, cause?: unknown): TransientError {
    const details: Record<string, unknown> = { system: this.system, status: status ?? null };
    if (backoffMs !== undefined) details['retryBackoffMs'] = backoffMs;
    return new TransientError('PARTNER.UNAVAILABLE', message, details, cause === undefined ? undefined : { cause });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// fetch wraps the socket error in `cause`; its code (ECONNREFUSED...) is what an operator needs.
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
