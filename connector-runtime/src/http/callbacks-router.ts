/**
 * Partner callbacks (DESIGN §6, seed §10–§11): `POST /api/v1/integrations/<system>/callbacks`.
 * A callback is authenticated with Standard Webhooks signatures over the raw body (several secrets
 * during rotation, a timestamp tolerance, constant-time comparison: the `standardwebhooks`
 * package), its tenant comes from the adapter configuration and never from the body, and it is
 * stored in `callback_inbox` before anything acts on it, once per webhook-id. The answer is 202
 * for a new callback and 200 for a redelivery, so the partner stops sending; the same webhook-id
 * with a different body is refused with 422 (as a reused Idempotency-Key is, DESIGN §6). Correlating the stored callback with the process is
 * the correlation relay's work.
 */
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

const signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

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
      for (const name of signatureHeaders) {
        const value = req.get(name);
        if (!value) throw new AuthenticationError(`missing ${name} header`);
        headers[name] = value;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verify(adapter.secrets, body, headers);

      const raw = body.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new ValidationError('callback body is not JSON');
      }
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
        payload: envelope.data,
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
