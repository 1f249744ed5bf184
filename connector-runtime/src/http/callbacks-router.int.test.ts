/**
 * Signed partner callbacks against the real PostgreSQL: verified with Standard Webhooks, tenant
 * from the adapter configuration, stored once per webhook-id, refused with problem+json otherwise.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTenantId } from '../store/fixtures/store-test-database';
import type { StoreTestDatabase } from '../store/fixtures/store-test-database';
import { startCallbackApp, type CallbackApp } from './fixtures/callback-app';

// Standard Webhooks secrets: whsec_ + base64 of the key bytes.
const oldSecret = `whsec_${Buffer.from('old-secret-of-the-provisioning-partner').toString('base64')}`;
const newSecret = `whsec_${Buffer.from('new-secret-of-the-provisioning-partner').toString('base64')}`;
const strangerSecret = `whsec_${Buffer.from('a key nobody configured').toString('base64')}`;
const tenantId = uniqueTenantId();

let app: CallbackApp;
let db: StoreTestDatabase;
let base: string;

beforeAll(async () => {
  app = await startCallbackApp('http_callbacks', { provisioning: { tenantId, secrets: [newSecret, oldSecret] } });
  ({ db, base } = app);
});

afterAll(async () => {
  await app?.close();
});

function signed(body: string, options: { secret?: string; id?: string; at?: Date } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? newSecret).sign(id, at, body),
  };
}

// What a partner following the Standard Webhooks spec sends: the HMAC over the exact body bytes.
function signedBytes(body: Buffer, secret = newSecret) {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

const post = (system: string, body: string | Buffer, headers: Record<string, string>) =>
  fetch(`${base}/api/v1/integrations/${system}/callbacks`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });

const rowsOf = async (webhookId: string) =>
  (await db.pool.query('select tenant_id, source_system, raw_payload, payload, external_correlation_id from callback_inbox where webhook_id = $1', [webhookId])).rows;

describe('POST /api/v1/integrations/:system/callbacks', () => {
  it('given a correctly signed callback, then it is stored under the adapter tenant with its raw body and answered 202', async () => {
    // The body claims another tenant: the adapter configuration decides, never the body.
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-77', status: 'COMPLETED', tenantId: 'tenant-evil' });
    const headers = signed(body);
    const res = await post('provisioning', body, headers);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { callbackId: string; status: string };
    expect(answer.status).toBe('ACCEPTED');
    expect(await rowsOf(headers['webhook-id'])).toEqual([
      { tenant_id: tenantId, source_system: 'provisioning', raw_payload: body, payload: JSON.parse(body), external_correlation_id: 'prov-req-77' },
    ]);
  });

  it('given the same delivery twice, then the second is answered 200 with the first id and nothing is stored again', async () => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-78', status: 'FAILED' });
    const headers = signed(body);
    const first = (await (await post('provisioning', body, headers)).json()) as { callbackId: string };
    const again = await post('provisioning', body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ callbackId: first.callbackId, status: 'DUPLICATE' });
    expect(await rowsOf(headers['webhook-id'])).toHaveLength(1);
  });

  it('given a webhook-id reused with another body, then 422 and the first body stays', async () => {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-79', status: 'COMPLETED' });
    await post('provisioning', body, signed(body, { id }));
    const other = JSON.stringify({ externalCorrelationId: 'prov-req-79', status: 'FAILED' });
    const res = await post('provisioning', other, signed(other, { id }));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await rowsOf(id))[0].raw_payload).toBe(body);
  });

  it('given a callback signed with the previous secret during rotation, then it is accepted', async () => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-80' });
    expect((await post('provisioning', body, signed(body, { secret: oldSecret }))).status).toBe(202);
  });

  it.each([
    ['a body changed after signing', (body: string) => ({ body: body.replace('80', '81'), headers: signed(body) })],
    ['an unknown key', (body: string) => ({ body, headers: signed(body, { secret: strangerSecret }) })],
    ['a timestamp an hour old', (body: string) => ({ body, headers: signed(body, { at: new Date(Date.now() - 3600_000) }) })],
    [
      'no signature header',
      (body: string) => {
        const { 'webhook-signature': _dropped, ...headers } = signed(body);
        return { body, headers };
      },
    ],
  ])('given %s, then 401 problem+json and nothing stored', async (_label, build) => {
    const { body, headers } = build(JSON.stringify({ externalCorrelationId: 'prov-req-80x' }));
    const res = await post('provisioning', body, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
    expect(await rowsOf(headers['webhook-id'])).toEqual([]);
  });

  it('given a system without an adapter, then 404, before any signature is looked at', async () => {
    const body = '{}';
    expect((await post('billing', body, signed(body))).status).toBe(404);
    expect((await post('no-such-system', body, signed(body))).status).toBe(404);
  });

  it('given a correctly signed body that is not a JSON object, then 400 and nothing stored', async () => {
    for (const body of ['not json', '[1,2]', JSON.stringify({ externalCorrelationId: 42 })]) {
      const headers = signed(body);
      const res = await post('provisioning', body, headers);
      expect(res.status, body).toBe(400);
      expect(await rowsOf(headers['webhook-id'])).toEqual([]);
    }
  });

  it('given a stored callback, then its signature and payload hash re-verify from the row alone', async () => {
    // Multi-byte characters: the stored text must encode back to exactly the signed bytes.
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-90', reason: 'Société ✓ 🚀 ünïcödé' });
    const headers = signed(body);
    expect((await post('provisioning', body, headers)).status).toBe(202);
    const { rows } = await db.pool.query<{ raw_payload: string; payload_hash: string; headers: Record<string, string> }>(
      'select raw_payload, payload_hash, headers from callback_inbox where webhook_id = $1',
      [headers['webhook-id']],
    );
    const bytes = Buffer.from(rows[0]!.raw_payload, 'utf8');
    expect(bytes.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(rows[0]!.payload_hash);
    expect(() => new Webhook(newSecret).verify(bytes, rows[0]!.headers, { jsonParse: false })).not.toThrow();
  });
});

describe('POST /api/v1/integrations/:system/callbacks with input the database cannot hold', () => {
  const expectRefused = async (res: Response, webhookId: string, detail: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400, code: 'INPUT.INVALID', detail: expect.stringMatching(detail) });
    expect(await rowsOf(webhookId)).toEqual([]);
  };

  it.each([
    ['a string value', '{"externalCorrelationId":"prov-req-91","reason":"a\\u0000b"}', /\/reason\b.*U\+0000/],
    ['a nested value', '{"externalCorrelationId":"prov-req-91","result":{"lines":[{"note":"\\u0000"}]}}', /\/result\/lines\/0\/note\b.*U\+0000/],
    ['an object key', '{"externalCorrelationId":"prov-req-91","result":{"k\\u0000":1}}', /\/result\b.*key.*U\+0000/],
    ['the correlation id', '{"externalCorrelationId":"prov\\u0000"}', /\/externalCorrelationId\b.*U\+0000/],
  ])('given a U+0000 in %s, then 400 naming its JSON path and nothing stored', async (_label, body, detail) => {
    const headers = signed(body);
    await expectRefused(await post('provisioning', body, headers), headers['webhook-id'], detail);
  });

  it('given a lone UTF-16 surrogate escape in a string, then 400 naming its JSON path and nothing stored', async () => {
    const body = '{"externalCorrelationId":"prov-req-92","reason":"x\\ud800y"}';
    const headers = signed(body);
    await expectRefused(await post('provisioning', body, headers), headers['webhook-id'], /\/reason\b.*surrogate/);
  });

  it('given a number beyond the double range, then 400 naming its JSON path rather than storing it as null', async () => {
    const body = '{"externalCorrelationId":"prov-req-93","result":{"amount":1e400}}';
    const headers = signed(body);
    await expectRefused(await post('provisioning', body, headers), headers['webhook-id'], /\/result\/amount\b/);
  });

  it('given JSON nested 10,000 deep, then 400 stating the depth limit', async () => {
    const body = `{"externalCorrelationId":"prov-req-94","result":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const headers = signed(body);
    await expectRefused(await post('provisioning', body, headers), headers['webhook-id'], /deeper than 64/);
  });

  it('given JSON nested exactly 64 deep, then it is accepted; 65 deep is refused', async () => {
    // The body object itself is level 1.
    const nested = (depth: number) => `{"externalCorrelationId":"prov-req-95","result":${'['.repeat(depth - 1)}"x"${']'.repeat(depth - 1)}}`;
    const atLimit = signed(nested(64));
    expect((await post('provisioning', nested(64), atLimit)).status).toBe(202);
    const beyond = signed(nested(65));
    await expectRefused(await post('provisioning', nested(65), beyond), beyond['webhook-id'], /deeper than 64/);
  });

  it('given brackets inside strings, then they do not count as nesting', async () => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-96', reason: `${'[{'.repeat(100)}\\"` });
    expect((await post('provisioning', body, signed(body))).status).toBe(202);
  });

  it.each([
    ['a spec-conforming signature over the bytes', (body: Buffer) => signedBytes(body)],
    ['the standardwebhooks library signature', (body: Buffer) => signed(body.toString('utf8'))],
  ])('given a body that is not well-formed UTF-8 (%s), then 400 and nothing stored', async (_label, sign) => {
    const body = Buffer.concat([Buffer.from('{"externalCorrelationId":"prov-req-97","reason":"Soci'), Buffer.from([0xe9]), Buffer.from('t\\u00e9"}')]);
    const headers = sign(body);
    await expectRefused(await post('provisioning', body, headers), headers['webhook-id'], /UTF-8/);
  });

  type Alter = (headers: Record<string, string>) => Record<string, string>;
  it.each<[string, Alter, RegExp]>([
    ['a webhook-id of 5,000 characters', (headers) => ({ ...headers, 'webhook-id': `msg_${'x'.repeat(4996)}` }), /webhook-id/],
    ['a webhook-timestamp that is not whole seconds', (headers) => ({ ...headers, 'webhook-timestamp': `${headers['webhook-timestamp']}abc` }), /webhook-timestamp/],
    ['a webhook-timestamp of 5,000 digits', (headers) => ({ ...headers, 'webhook-timestamp': '9'.repeat(5000) }), /webhook-timestamp/],
    [
      'a webhook-signature of 5,000 characters',
      (headers) => ({ ...headers, 'webhook-signature': `${headers['webhook-signature']} ${'v1,AAAA '.repeat(625)}`.trim() }),
      /webhook-signature/,
    ],
  ])('given %s, then 400 before any database work', async (_label, alter, detail) => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-98' });
    const id = `msg_${randomUUID()}`;
    // Signed over the altered id and timestamp where the library can, so only the bound refuses it.
    const headers = alter(signed(body, { id }));
    if (headers['webhook-id'] !== id) headers['webhook-signature'] = new Webhook(newSecret).sign(headers['webhook-id']!, new Date(), body);
    const res = await post('provisioning', body, headers);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    const { rows } = await db.pool.query('select 1 from callback_inbox where webhook_id in ($1, $2)', [id, headers['webhook-id']!.slice(0, 256)]);
    expect(rows).toEqual([]);
  });

  it('given a "__proto__" key, then the stored payload keeps it as the partner sent it', async () => {
    const body = '{"externalCorrelationId":"prov-req-99","__proto__":{"polluted":true}}';
    const headers = signed(body);
    expect((await post('provisioning', body, headers)).status).toBe(202);
    expect((await rowsOf(headers['webhook-id']))[0].payload).toEqual(JSON.parse(body));
  });

  it('given the same delivery sent concurrently, then every answer is 2xx and one row is stored', async () => {
    // The race (a redelivery arriving while the first insert commits) is narrow: several rounds.
    for (let round = 0; round < 10; round += 1) {
      const body = JSON.stringify({ externalCorrelationId: `prov-req-100-${round}` });
      const headers = signed(body);
      const answers = await Promise.all(Array.from({ length: 6 }, () => post('provisioning', body, headers)));
      expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
      expect(await rowsOf(headers['webhook-id'])).toHaveLength(1);
    }
  });
});
