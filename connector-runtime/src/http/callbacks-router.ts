/**
 * Partner callbacks (docs/architecture.md §6, seed §10–§11): `POST /api/v1/integrations/<system>/callbacks`.
 * A callback is authenticated with Standard Webhooks signatures over the raw body (several secrets
 * during rotation, a timestamp tolerance, constant-time comparison: the `standardwebhooks`
 * package), its tenant comes from the adapter configuration and never from the body, and it is
 * stored in `callback_inbox` before anything acts on it, once per webhook-id. The answer is 202
 * for a new callback and 200 for a redelivery, so the partner stops sending; the same webhook-id
 * with a different body is refused with 422 (as a reused Idempotency-Key is, docs/architecture.md §6).
 * Correlating the stored callback with the process is the correlation relay's work.
 *
 * Bad input is a 4xx problem+json and leaves no row, never a 5xx: a 2xx tells the partner to stop
 * sending, so it is only given for a callback stored exactly as signed and fit to act on. In order:
 * - Before the signature: the three headers are bounded (webhook-id at most 256 characters, the
 *   column's width; webhook-timestamp whole seconds, at most 12 digits; webhook-signature at most
 *   1024 characters, room for many rotated signatures), and the body must be well-formed UTF-8
 *   (RFC 8259 §8.1). Invalid UTF-8 is refused rather than kept as bytes: `standardwebhooks` signs
 *   the body's UTF-8 *decoding*, so two byte strings differing only in invalid sequences share one
 *   signature, and the parsed payload would differ from what the partner sent; refusing keeps every
 *   stored `raw_payload` byte-for-byte the signed body (UTF-8 database), re-verifiable from the row.
 * - After it: JSON nested deeper than {@link callbackMaxDepth} is refused by a scan of the text
 *   before anything recurses over it; then every string and key must be storable in jsonb (no
 *   U+0000, no unpaired UTF-16 surrogate) and every number finite as a double (`1e400` would be
 *   stored as null). These are refused with 400 naming the JSON pointer (RFC 6901) of the value:
 *   PostgreSQL cannot hold them, and storing an altered payload would act on what was not sent.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { Config } from '../config';
import { externalSystems, type ExternalSystem } from '../domain/vocabulary';
import { AuthenticationError, BusinessError, NotFoundError, ValidationError } from '../errors';
import { insertCallbackInbox } from '../store/queries/insert-callback-inbox';

/** The largest callback body accepted. */
export const callbackBodyLimit = '256kb';

// Only what the inbox needs is read here; each adapter validates its own payload when processing.
const callbackEnvelope = z.looseObject({ externalCorrelationId: z.string().min(1).max(256).optional() });

/** The deepest JSON nesting accepted in a callback body; the body object itself is level 1. */
export const callbackMaxDepth = 64;

// Checked before the signature, so a malformed header never reaches the library or a column.
const signatureHeaders = {
  'webhook-id': { valid: (value: string) => value.length <= 256, rule: 'at most 256 characters' },
  'webhook-timestamp': { valid: (value: string) => /^[0-9]{1,12}$/.test(value), rule: 'whole seconds since the epoch, at most 12 digits' },
  'webhook-signature': { valid: (value: string) => value.length <= 1024, rule: 'at most 1024 characters' },
} as const;

/** The partner reused a webhook-id for another body. */
class WebhookIdReusedError extends BusinessError {
  constructor(webhookId: string) {
    super('CALLBACK.WEBHOOK_ID_REUSED', `webhook-id ${webhookId} was already received with a different body`);
  }
}

function verify(secrets: readonly string[], body: Buffer, headers: Record<string, string>): void {
  for (const secret of secrets) {
    try {
      // jsonParse off: a body that verifies but is not JSON is a 400, not a bad signature.
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return;
    } catch {
      // Try the next secret: during rotation the partner signs with the old or the new one.
    }
  }
  throw new AuthenticationError('callback signature does not verify (or its timestamp is outside the tolerance)');
}

/** True when `text` opens more than `limit` arrays or objects at once; brackets in strings do not count. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash: the next character is escaped, even a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

// An RFC 6901 pointer segment; long keys are shortened so an answer never echoes a huge key.
const pointerSegment = (key: string) => `/${(key.length > 64 ? `${key.slice(0, 64)}…` : key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

function unstorableString(value: string): string | undefined {
  if (value.includes('\u0000')) return 'U+0000, which PostgreSQL jsonb cannot store';
  if (/\p{Cs}/u.test(value)) return 'an unpaired UTF-16 surrogate, which PostgreSQL jsonb cannot store';
  return undefined;
}

/** The first value of a parsed body that jsonb cannot hold as sent. Recursion is bounded by the depth scan. */
function findUnstorable(value: unknown, pointer: string): { path: string; message: string } | undefined {
  const at = pointer || '(root)';
  if (typeof value === 'string') {
    const problem = unstorableString(value);
    return problem === undefined ? undefined : { path: at, message: `${at}: the string contains ${problem}` };
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path: at, message: `${at}: the number is beyond the range of a double` };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorable(item, `${pointer}/${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableString(key);
      if (problem !== undefined) return { path: at, message: `${at}: an object key contains ${problem}` };
      const found = findUnstorable(item, `${pointer}${pointerSegment(key)}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Reads the body as JSON, refusing what cannot be stored as the partner sent it (see the header). */
function parseCallbackBody(text: string): unknown {
  if (nestsDeeperThan(text, callbackMaxDepth)) throw new ValidationError(`callback body nests arrays or objects deeper than ${callbackMaxDepth} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('callback body is not JSON');
  }
  const unstorable = findUnstorable(parsed, '');
  if (unstorable) throw new ValidationError(`callback body cannot be stored as sent: ${unstorable.message}`, [unstorable]);
  return parsed;
}

/** What the route tells its owner about each stored callback. */
export interface CallbackHooks {
  /**
   * Called after a callback is stored (`inserted` false for a redelivery of a stored one), before
   * the answer is sent: the runtime processes it here, so the partner's 2xx means "stored and, as
   * far as it could be, acted on". A failure here does not fail the request: the callback is
   * stored, and the recovery loop processes it later.
   */
  onStored?(callback: { tenantId: string; callbackId: string; system: string; inserted: boolean }): Promise<void>;
}

/** The router; `adapters` is the parsed CALLBACK_ADAPTERS setting. */
export function callbacksRouter(pool: pg.Pool, adapters: Config['CALLBACK_ADAPTERS'], hooks: CallbackHooks = {}): Router {
  const router = Router();
  router.post(
    '/api/v1/integrations/:system/callbacks',
    express.raw({ type: () => true, limit: callbackBodyLimit }),
    async (req, res) => {
      const system = String(req.params['system']);
      const adapter = (externalSystems as readonly string[]).includes(system) ? adapters[system as ExternalSystem] : undefined;
      if (!adapter) throw new NotFoundError('CallbackAdapter', system);
      const headers: Record<string, string> = {};
      for (const [name, { valid, rule }] of Object.entries(signatureHeaders)) {
        const value = req.get(name);
        if (!value) throw new AuthenticationError(`missing ${name} header`);
        if (!valid(value)) throw new ValidationError(`${name} header must be ${rule}`, [{ path: name, message: rule }]);
        headers[name] = value;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isUtf8(body)) throw new ValidationError('callback body is not well-formed UTF-8, which JSON requires (RFC 8259 §8.1)');
      verify(adapter.secrets, body, headers);

      const raw = body.toString('utf8');
      const parsed = parseCallbackBody(raw);
      const envelope = callbackEnvelope.safeParse(parsed);
      if (!envelope.success) {
        throw new ValidationError(
          'callback body is not a JSON object of the expected shape',
          envelope.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      const payloadHash = createHash('sha256').update(body).digest('hex');
      const stored = await insertCallbackInbox(pool, {
        tenantId: adapter.tenantId,
        id: randomUUID(),
        sourceSystem: system,
        webhookId: headers['webhook-id']!,
        webhookTimestamp: new Date(Number(headers['webhook-timestamp']) * 1000).toISOString(),
        headers: { ...headers, 'content-type': req.get('content-type') ?? '' },
        rawPayload: raw,
        // The parsed body, not zod's copy: the copy drops a "__proto__" key the partner sent.
        payload: parsed,
        payloadHash,
        externalCorrelationId: envelope.data.externalCorrelationId ?? null,
      });
      if (!stored.inserted && stored.payloadHash !== payloadHash) throw new WebhookIdReusedError(headers['webhook-id']!);
      await hooks.onStored?.({ tenantId: adapter.tenantId, callbackId: stored.id, system, inserted: stored.inserted });
      res.status(stored.inserted ? 202 : 200).json({ callbackId: stored.id, status: stored.inserted ? 'ACCEPTED' : 'DUPLICATE' });
    },
  );
  return router;
}
