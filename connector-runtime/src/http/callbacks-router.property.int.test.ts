/**
 * A property of the callback route against the real PostgreSQL: whatever JSON a partner signs
 * (random keys, control characters, U+0000, unpaired surrogates, deep nesting, numbers beyond a
 * double, arrays), the answer is never 5xx, a 4xx is problem+json and leaves no inbox row, and a
 * 2xx leaves exactly one row holding the signed body as sent.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTenantId } from '../store/fixtures/store-test-database';
import type { StoreTestDatabase } from '../store/fixtures/store-test-database';
import { startCallbackApp, type CallbackApp } from './fixtures/callback-app';

const secret = `whsec_${Buffer.from('secret-of-the-property-partner').toString('base64')}`;

let app: CallbackApp;
let db: StoreTestDatabase;
let base: string;

beforeAll(async () => {
  app = await startCallbackApp('http_callbacks_property', { provisioning: { tenantId: uniqueTenantId(), secrets: [secret] } });
  ({ db, base } = app);
});

afterAll(async () => {
  await app?.close();
});

// Characters that break storage or parsing when mishandled, mixed into otherwise arbitrary text.
const awkward = fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\udfff', '"', '\\', '/', '~', '[', '{', ']', '}', 'é', '🚀', '\u2028');
const text = fc.string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: awkward }), maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom('externalCorrelationId', '__proto__', 'constructor', ''));

// Number literals as a partner writes them, including ones a double cannot hold.
const numberLiteral = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '0.1e1', '9007199254740993', '1E+308'),
);

// JSON text, built as text so number literals reach the route unchanged.
const { value: jsonText } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    text.map((s) => JSON.stringify(s)),
    numberLiteral,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
}));

// Around the limit of 64 levels and far beyond it.
const deep = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1000, max: 12_000 })), fc.boolean(), jsonText)
  .map(([depth, asObjects, inner]) => (asObjects ? `${'{"d":'.repeat(depth)}${inner}${'}'.repeat(depth)}` : `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`));

// Mostly the shape a callback has (an object, often with a correlation id), so 2xx answers occur too.
const callbackBody = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.option(text, { nil: undefined }), fc.array(fc.tuple(key, fc.oneof(jsonText, deep)), { maxLength: 5 })).map(([correlationId, entries]) => {
    const fields = entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    if (correlationId !== undefined) fields.unshift(`"externalCorrelationId":${JSON.stringify(correlationId)}`);
    return `{${fields.join(',')}}`;
  }) },
  { weight: 1, arbitrary: jsonText },
  { weight: 1, arbitrary: deep },
);

describe('POST /api/v1/integrations/:system/callbacks, any signed JSON', () => {
  it('given any correctly signed body, then never 5xx, problem+json for 4xx, and no row for a 4xx, one for a 2xx', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(callbackBody, async (body) => {
        const id = `msg_${randomUUID()}`;
        const at = new Date();
        const res = await fetch(`${base}/api/v1/integrations/provisioning/callbacks`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) },
        });
        await res.arrayBuffer();
        const { rows } = await db.pool.query<{ raw_payload: string }>('select raw_payload from callback_inbox where webhook_id = $1', [id]);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(rows).toEqual([]);
          seen.refused += 1;
        } else {
          expect(res.status).toBe(202);
          expect(rows).toEqual([{ raw_payload: body }]);
          seen.accepted += 1;
        }
      }),
      { numRuns: 100 },
    );
    // The generator must exercise both outcomes, or the property says little.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
