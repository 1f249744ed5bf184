/**
 * Pure arithmetic of `npm run bench:runtime`: percentiles of latencies, rates, and the figure each
 * scenario reports (measured against a baseline of the same run, its ratio, its target).
 */

/** One reported figure: the subject's measure, the raw baseline's, their ratio and the target it must meet. */
export interface Figure {
  measured: number;
  baseline: number;
  ratio: number;
  target: number;
  met: boolean;
}

/** Rounds to two decimals (figures are read by people; more digits are noise on a shared machine). */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The `p`-th percentile (0..100) of `values` by the nearest-rank method: the smallest value with
 * at least p % of the values at or below it. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Events per second of `count` events in `elapsedMs`. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count / elapsedMs) * 1000 : 0;
}

/** `measured / baseline`; NaN when the baseline is not a positive number. */
export function ratioOf(measured: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(baseline) ? measured / baseline : Number.NaN;
}

/**
 * The figure of a higher-is-better measure: met when `measured / baseline` is at least `target`.
 * Values are rounded for the report; `met` is decided on the unrounded ratio.
 */
export function figure(measured: number, baseline: number, target: number): Figure {
  const ratio = ratioOf(measured, baseline);
  return { measured: round2(measured), baseline: round2(baseline), ratio: round2(ratio), target, met: ratio >= target };
}

/** Splits `total` into `parts` near-equal whole shares (the first ones one larger). */
export function shares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
