import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../errors';
import { canonicalJson, snapshotHash, snapshotHashPattern } from './snapshot-hash';

/** Rebuilds an object with its keys in reverse insertion order, deeply. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, member]) => [key, reverseKeys(member)]),
    );
  }
  return value;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('keeps array order, because order inside a list is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it.each([
    ['NaN', { a: Number.NaN }],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
    ['a Date', { a: new Date(0) as unknown as string }],
    ['a function', { a: (() => 1) as unknown as string }],
  ])('refuses %s instead of writing null', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(BugError);
  });

  it('is independent of key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const data = value as never;
        expect(canonicalJson(reverseKeys(data) as never)).toBe(canonicalJson(data));
        expect(JSON.parse(canonicalJson(data))).toEqual(JSON.parse(JSON.stringify(data)));
      }),
    );
  });
});

describe('snapshot hash', () => {
  it('is sha256 of the canonical JSON, prefixed', () => {
    const expected = createHash('sha256').update('{"a":1,"b":"é"}').digest('hex');
    expect(snapshotHash({ b: 'é', a: 1 })).toBe(`sha256:${expected}`);
    expect(snapshotHash({ a: 1 })).toMatch(snapshotHashPattern);
  });

  it('changes when any value changes', () => {
    expect(snapshotHash({ orderVersion: 7 })).not.toBe(snapshotHash({ orderVersion: 8 }));
  });
});
