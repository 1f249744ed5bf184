/**
 * The Idempotency-Key header and the fingerprint of a request (IETF httpapi idempotency-key draft).
 * The draft defines the key as a structured-field string (`"8e03978e-..."`); keys sent bare, as
 * most clients do, are accepted too, and both spellings name the same key.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors';

/** The request header. */
export const idempotencyKeyHeader = 'Idempotency-Key';

// Printable ASCII, as a structured-field string allows; 255 is the column's width.
const printable = /^[\x20-\x7e]{1,255}$/;

/** The key of a header value; a missing, empty, too long or unprintable key is a 400. */
export function parseIdempotencyKey(header: string | undefined): string {
  if (header === undefined || header === '') throw invalidKey('an Idempotency-Key header is required on this command');
  const key = header.startsWith('"') ? unquote(header) : header;
  if (key === undefined || !printable.test(key)) throw invalidKey('the Idempotency-Key must be 1 to 255 printable ASCII characters');
  return key;
}

function invalidKey(message: string): ValidationError {
  return new ValidationError(message, [{ path: idempotencyKeyHeader, message }]);
}

/** The content of a structured-field string (RFC 8941 §3.3.3), or undefined when malformed. */
function unquote(value: string): string | undefined {
  let out = '';
  for (let i = 1; i < value.length; i += 1) {
    const char = value[i];
    if (char === '"') return i === value.length - 1 ? out : undefined;
    if (char === '\\') {
      const next = value[i + 1];
      if (next !== '"' && next !== '\\') return undefined;
      out += next;
      i += 1;
    } else {
      out += char;
    }
  }
  return undefined;
}

/** JSON with object keys sorted at every level, so the same body always reads the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/**
 * What makes two requests "the same" for a key: method, URL (path and query), the caller and the
 * canonical body. The caller is in it so that a key reused by another subject of the tenant is a
 * 422, never a replay of someone else's answer.
 */
export function requestFingerprint(request: { method: string; url: string; subject: string; body: unknown }): string {
  return createHash('sha256')
    .update(JSON.stringify([request.method.toUpperCase(), request.url, request.subject, canonicalJson(request.body)]))
    .digest('hex');
}
