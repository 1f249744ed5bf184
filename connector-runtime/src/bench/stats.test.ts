import { describe, expect, it } from 'vitest';
import { figure, percentile, perSecond, ratioOf, shares } from './stats';

describe('bench statistics', () => {
  it('given latencies, then percentiles are nearest-rank values of the sorted sample', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
  });

  it('given a hundred values, then p99 is the 99th smallest, not the largest', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it('given a count and a duration, then the rate is per second', () => {
    expect(perSecond(500, 2000)).toBe(250);
    expect(perSecond(1, 0)).toBe(0);
  });

  it('given a subject and its baseline, then the figure holds the ratio and whether it meets the target', () => {
    expect(figure(80, 100, 0.75)).toEqual({ measured: 80, baseline: 100, ratio: 0.8, target: 0.75, met: true });
    expect(figure(74.9, 100, 0.75)).toMatchObject({ ratio: 0.75, met: false });
    expect(ratioOf(1, 0)).toBeNaN();
    expect(figure(1, 0, 0.9).met).toBe(false);
  });

  it('given a total, then shares split it evenly', () => {
    expect(shares(10, 3)).toEqual([4, 3, 3]);
    expect(shares(2, 4)).toEqual([1, 1, 0, 0]);
  });
});
