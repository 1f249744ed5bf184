/**
 * Timer values as Zeebe accepts them: ISO 8601 durations (`PT5M`, `P1DT2H`), ISO 8601 date-times
 * and repeating intervals (`R3/PT10S`, `R/PT1M`, `R2/2026-01-01T00:00:00Z/PT1H`).
 */

/** Raised for a value that is not a valid timer value. */
export class TimerValueError extends Error {
  /** Stable code. */
  readonly code = 'TIMER.INVALID_VALUE';
}

const durationPattern = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Converts an ISO 8601 duration to milliseconds. Years and months use their calendar lengths from
 * `from` (so P1M from 31 January lands on the last day of February as java.time does).
 */
export function durationToMillis(value: string, from = 0): number {
  const match = durationPattern.exec(value.trim());
  if (!match || value.trim() === 'P' || value.trim().endsWith('T')) throw new TimerValueError(`'${value}' is not an ISO 8601 duration`);
  const [, minus, y, mo, w, d, h, mi, s] = match;
  const n = (x: string | undefined) => (x ? Number(x) : 0);
  let ms = ((n(w) * 7 + n(d)) * 24 * 3600 + n(h) * 3600 + n(mi) * 60 + n(s)) * 1000;
  if (n(y) || n(mo)) {
    const start = new Date(from);
    const target = new Date(from);
    const day = start.getUTCDate();
    target.setUTCDate(1);
    target.setUTCMonth(target.getUTCMonth() + n(y) * 12 + n(mo));
    const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    target.setUTCDate(Math.min(day, lastDay));
    ms += target.getTime() - start.getTime();
  }
  return minus ? -ms : ms;
}

/** Parses an ISO 8601 date-time to epoch milliseconds. */
export function dateToMillis(value: string): number {
  const ms = Date.parse(value.trim().replace(/\[.*\]$/, ''));
  if (Number.isNaN(ms)) throw new TimerValueError(`'${value}' is not an ISO 8601 date-time`);
  return ms;
}

/** A parsed repeating interval. */
export interface Cycle {
  /** Remaining repetitions, -1 for unbounded. */
  repetitions: number;
  interval: string;
  /** First due date. */
  firstDue: number;
}

/** Parses `R[n]/[start/]duration`. Cron expressions are not supported by the local engine. */
export function parseCycle(value: string, now: number): Cycle {
  const parts = value.trim().split('/');
  const head = parts[0] ?? '';
  if (!/^R\d*$/.test(head) || parts.length < 2 || parts.length > 3) {
    throw new TimerValueError(`'${value}' is not an ISO 8601 repeating interval (cron cycles are not supported by the local engine)`);
  }
  const repetitions = head === 'R' ? -1 : Number(head.slice(1));
  const interval = parts[parts.length - 1] ?? '';
  const start = parts.length === 3 ? dateToMillis(parts[1] ?? '') : undefined;
  const firstDue = start !== undefined && start > now ? start : now + durationToMillis(interval, now);
  return { repetitions, interval, firstDue };
}
