import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDurationSchema, parseIsoDuration, tryParseIsoDuration } from './duration';

describe('ISO-8601 durations', () => {
  it.each([
    ['PT30S', 30_000],
    ['PT10M', 600_000],
    ['PT2H', 7_200_000],
    ['PT2H30M', 9_000_000],
    ['P1D', 86_400_000],
    ['P1DT1S', 86_401_000],
    ['P2W', 14 * 86_400_000],
    ['PT0.5S', 500],
    ['PT1,5S', 1_500],
    ['PT0S', 0],
  ])('given %s then it lasts %i ms', (text, milliseconds) => {
    expect(parseIsoDuration(text)).toBe(milliseconds);
  });

  it.each(['', 'P', 'PT', 'P1DT', 'P1Y', 'P1M', 'PT-1S', '-PT1S', '30S', 'PT1S2M', 'pt30s', 'PT1H ', '1 hour'])(
    'given %j then it is rejected',
    (text) => {
      expect(tryParseIsoDuration(text)).toBeUndefined();
      expect(() => parseIsoDuration(text)).toThrow(RangeError);
      expect(isoDurationSchema.safeParse(text).success).toBe(false);
    },
  );

  it('round-trips any whole combination of units', () => {
    fc.assert(
      fc.property(
        fc.record({
          d: fc.nat(400),
          h: fc.nat(23),
          m: fc.nat(59),
          s: fc.nat(59),
        }),
        ({ d, h, m, s }) => {
          const text = `P${d}DT${h}H${m}M${s}S`;
          expect(parseIsoDuration(text)).toBe(((d * 24 + h) * 60 + m) * 60_000 + s * 1_000);
          expect(isoDurationSchema.parse(text)).toBe(text);
        },
      ),
    );
  });
});
