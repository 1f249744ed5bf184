/**
 * ISO-8601 durations for retry back-off and timeout policies (seed §2, §14).
 *
 * Only fixed-length units are accepted (weeks, days, hours, minutes, seconds): a policy duration
 * becomes a job back-off in milliseconds (docs/architecture.md §3) and is compared with other durations
 * (a soft reminder must fall before the hard timeout), and years or months have no fixed length.
 * A day counts as 24 hours, as Zeebe's timer durations do. Parsing is a dozen lines, so the
 * domain does not take a date library for it.
 */
import { z } from 'zod';

const pattern =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const unitMilliseconds = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000] as const;

/**
 * Milliseconds of an ISO-8601 duration such as `PT30S`, `PT2H30M` or `P1D`, or `undefined` when the
 * text is not a fixed-length ISO-8601 duration (empty `P`/`PT`, a dangling `T`, years, months,
 * negative values).
 */
export function tryParseIsoDuration(text: string): number | undefined {
  const match = pattern.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  let total = 0;
  let anyUnit = false;
  for (let index = 0; index < unitMilliseconds.length; index += 1) {
    const value = match[index + 1];
    if (value === undefined) continue;
    anyUnit = true;
    total += Number(value.replace(',', '.')) * unitMilliseconds[index]!;
  }
  return anyUnit ? Math.round(total) : undefined;
}

/** Milliseconds of an ISO-8601 duration; throws `RangeError` for text that is not one. */
export function parseIsoDuration(text: string): number {
  const milliseconds = tryParseIsoDuration(text);
  if (milliseconds === undefined) {
    throw new RangeError(`"${text}" is not an ISO-8601 duration of weeks, days, hours, minutes or seconds`);
  }
  return milliseconds;
}

/** Zod schema of a policy duration: a fixed-length ISO-8601 duration, kept as its text. */
export const isoDurationSchema = z
  .string()
  .refine((text) => tryParseIsoDuration(text) !== undefined, {
    message: 'expected an ISO-8601 duration of weeks, days, hours, minutes or seconds (e.g. PT30S, PT2H, P1D)',
  })
  .meta({ description: 'ISO-8601 duration (W, D, H, M, S units), e.g. PT30S', examples: ['PT30S', 'PT2H', 'P1D'] });
