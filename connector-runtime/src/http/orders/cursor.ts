/**
 * Page cursors of the order API: an opaque base64url token of the last row's keyset key
 * (created_at with microseconds, id). Clients pass it back unchanged; anything this API did not
 * issue is refused rather than guessed at.
 */
import { z } from 'zod';

/** The keyset key a page continues after. */
export interface PageKey {
  /** `created_at` in UTC with microseconds, as PostgreSQL formatted it. */
  at: string;
  id: string;
}

const microsecondTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const cursorToken = /^[A-Za-z0-9_-]{1,256}$/;
const pageKeySchema = z.tuple([z.string().regex(microsecondTimestamp), z.uuid()]);

/** The cursor that continues after `key`. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), 'utf8').toString('base64url');
}

/** The key a cursor names, or `undefined` when the text is not a cursor this API issued. */
export function decodeCursor(cursor: string): PageKey | undefined {
  if (!cursorToken.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = pageKeySchema.safeParse(decoded);
  if (!parsed.success || Number.isNaN(Date.parse(parsed.data[0]))) return undefined;
  return { at: parsed.data[0], id: parsed.data[1] };
}
