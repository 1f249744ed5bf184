import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { randomIdFactory, sequentialIdFactory } from './id-factory';

describe('id factories', () => {
  it('given a namespace, sequential ids count up in call order and are valid UUIDs', () => {
    const next = sequentialIdFactory(0xf1);
    const ids = [next(), next(), next()];
    expect(ids).toEqual([
      '000000f1-0000-4000-8000-000000000001',
      '000000f1-0000-4000-8000-000000000002',
      '000000f1-0000-4000-8000-000000000003',
    ]);
    for (const id of ids) expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('gives two factories of the same namespace the same sequence', () => {
    const a = sequentialIdFactory(7);
    const b = sequentialIdFactory(7);
    expect([a(), a()]).toEqual([b(), b()]);
  });

  it('rejects a namespace that does not fit the first group', () => {
    expect(() => sequentialIdFactory(-1)).toThrow(RangeError);
    expect(() => sequentialIdFactory(2 ** 32)).toThrow(RangeError);
  });

  it('gives distinct random UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, randomIdFactory));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(z.uuid().safeParse(id).success).toBe(true);
  });
});
