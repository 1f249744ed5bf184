import { describe, expect, it } from 'vitest';
import { TimerValueError, dateToMillis, durationToMillis, parseCycle } from './timer-values';

const start = Date.parse('2026-01-31T10:00:00Z');

describe('timer values', () => {
  it('converts ISO 8601 durations', () => {
    expect(durationToMillis('PT5M')).toBe(300_000);
    expect(durationToMillis('P1DT2H')).toBe(26 * 3600_000);
    expect(durationToMillis('PT0.5S')).toBe(500);
    expect(durationToMillis('P1W')).toBe(7 * 24 * 3600_000);
  });

  it('adds calendar months clamped to the month end', () => {
    expect(start + durationToMillis('P1M', start)).toBe(Date.parse('2026-02-28T10:00:00Z'));
  });

  it('rejects what is not a duration', () => {
    expect(() => durationToMillis('5 minutes')).toThrow(TimerValueError);
    expect(() => durationToMillis('PT')).toThrow(TimerValueError);
  });

  it('parses dates', () => {
    expect(dateToMillis('2026-03-01T00:00:00Z')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(() => dateToMillis('tomorrow')).toThrow(TimerValueError);
  });

  it('parses repeating intervals, bounded and unbounded, with an optional start', () => {
    expect(parseCycle('R3/PT10S', start)).toEqual({ repetitions: 3, interval: 'PT10S', firstDue: start + 10_000 });
    expect(parseCycle('R/PT1M', start).repetitions).toBe(-1);
    expect(parseCycle('R2/2026-02-01T00:00:00Z/PT1H', start).firstDue).toBe(Date.parse('2026-02-01T00:00:00Z'));
    expect(() => parseCycle('0 0 * * *', start)).toThrow(/cron/);
  });
});
