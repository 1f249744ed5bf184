import { describe, expect, it } from 'vitest';
import { parseSearchRequest } from './request-bodies';
import { like, matches, search } from './search';

describe('like', () => {
  it.each([
    ['Review order', 'Review*', true],
    ['Review order', '*order', true],
    ['Review order', 'R?view*', true],
    ['Review', 'Review?', false],
    ['a*c', 'a\\*c', true],
    ['abc', 'a\\*c', false],
    ['', '*', true],
    ['', '?', false],
    ['abc', 'abc', true],
  ])('given %j and pattern %j, then %s', (value, pattern, expected) => {
    expect(like(value, pattern)).toBe(expected);
  });

  it('given a pattern of many wildcards that cannot match, then it answers quickly', () => {
    const started = performance.now();
    expect(like('a'.repeat(20_000), `${'*a'.repeat(2_000)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('matches', () => {
  const task = { userTaskKey: '2251799813685251', name: 'Review', candidateGroups: ['ops', 'field'], priority: 50, creationDate: '2025-01-02T03:04:05.000Z' };

  it('given a value, then equality by string; a list-valued field matches one of its entries', () => {
    expect(matches(task, { userTaskKey: 2251799813685251 })).toBe(true);
    expect(matches(task, { candidateGroup: 'field' }, { candidateGroup: 'candidateGroups' })).toBe(true);
    expect(matches(task, { candidateGroup: 'sales' }, { candidateGroup: 'candidateGroups' })).toBe(false);
    expect(matches(task, { name: null })).toBe(true);
  });

  it('given operators, then every one of them must hold', () => {
    expect(matches(task, { name: { $eq: 'Review', $neq: 'Other', $in: ['Review', 'X'], $notIn: ['Y'], $exists: true } })).toBe(true);
    expect(matches(task, { assignee: { $exists: false } })).toBe(true);
    expect(matches(task, { assignee: { $exists: true } })).toBe(false);
    expect(matches(task, { assignee: { $like: '*' } })).toBe(false);
  });

  it('given comparisons, then numbers compare as numbers and dates as text', () => {
    expect(matches(task, { priority: { $gt: 9, $lte: 50 } })).toBe(true);
    expect(matches(task, { priority: { $lt: '100' } })).toBe(true);
    expect(matches(task, { creationDate: { $gte: '2025-01-01T00:00:00Z', $lt: '2025-01-03T00:00:00Z' } })).toBe(true);
    expect(matches(task, { assignee: { $gt: 'a' } })).toBe(false);
  });
});

describe('search', () => {
  const items = [{ n: 'b', k: 2 }, { n: 'a', k: 1 }, { n: 'c', k: 3 }, { n: 'a', k: 4 }];

  it('given sort criteria, then the first criterion decides first and ties keep their order', () => {
    const result = search(items, parseSearchRequest({ sort: [{ field: 'n', order: 'DESC' }, { field: 'k', order: 'desc' }] }));
    expect(result.items.map((i) => i.k)).toEqual([3, 2, 4, 1]);
  });

  it('given a page, then from and limit slice the result and totalItems counts every match', () => {
    const result = search(items, parseSearchRequest({ page: { from: 1, limit: 2 } }));
    expect(result).toEqual({ items: [items[1], items[2]], page: { totalItems: 4, startCursor: null, endCursor: null } });
  });
});
