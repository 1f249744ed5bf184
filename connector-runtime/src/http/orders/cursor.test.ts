/** Page cursors: what is issued comes back as the same key; anything else is refused. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  const key = { at: '2026-03-01T10:00:00.123456Z', id: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9001' };

  it('given an issued cursor, when decoded, then the same key, microseconds kept', () => {
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each([
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['a millisecond time', encodeCursor({ ...key, at: '2026-03-01T10:00:00.123Z' })],
    ['an impossible date', encodeCursor({ ...key, at: '2026-13-45T10:00:00.123456Z' })],
    ['an id that is not a UUID', encodeCursor({ ...key, id: 'x' })],
    ['an object', Buffer.from(JSON.stringify(key)).toString('base64url')],
    ['an empty string', ''],
    ['a very long token', 'A'.repeat(300)],
  ])('given %s, then no key', (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
