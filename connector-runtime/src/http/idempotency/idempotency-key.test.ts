/** The Idempotency-Key header's rules and the request fingerprint. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors';
import { canonicalJson, parseIdempotencyKey, requestFingerprint } from './idempotency-key';

describe('parseIdempotencyKey', () => {
  it.each([
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"with \\"quotes\\" and \\\\"', 'with "quotes" and \\'],
    ['a key with spaces', 'a key with spaces'],
    ['k'.repeat(255), 'k'.repeat(255)],
  ])('given %j, then the key is %j', (header, key) => {
    expect(parseIdempotencyKey(header)).toBe(key);
  });

  it.each([undefined, '', '""', '"open', '"bad \\x escape"', '"trailing" junk', 'k'.repeat(256), 'caf\u00e9', 'tab\there'])(
    'given %j, then 400',
    (header) => {
      expect(() => parseIdempotencyKey(header)).toThrow(ValidationError);
    },
  );
});

describe('requestFingerprint', () => {
  const request = { method: 'POST', url: '/orders/1/cancel', subject: 'alice', body: { reason: 'r', note: { a: 1, b: [2, { d: 1, c: 0 }] } } };

  it('given the same body with keys in another order, then the fingerprint is the same', () => {
    const reordered = { ...request, body: { note: { b: [2, { c: 0, d: 1 }], a: 1 }, reason: 'r' } };
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(request));
    expect(canonicalJson(reordered.body)).toBe('{"note":{"a":1,"b":[2,{"c":0,"d":1}]},"reason":"r"}');
  });

  it.each([
    ['method', { method: 'PATCH' }],
    ['url', { url: '/orders/2/cancel' }],
    ['subject', { subject: 'bob' }],
    ['body', { body: { reason: 'other' } }],
    ['array order', { body: { reason: 'r', note: { a: 1, b: [{ d: 1, c: 0 }, 2] } } }],
  ])('given another %s, then another fingerprint', (_what, change) => {
    expect(requestFingerprint({ ...request, ...change })).not.toBe(requestFingerprint(request));
  });
});
