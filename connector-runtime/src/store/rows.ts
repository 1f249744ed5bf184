/**
 * Conversions between PostgreSQL column values and domain values. pg returns `bigint` columns
 * (versions, identity ids) as strings, because a JavaScript number cannot hold every int8; the
 * store converts them here, explicitly, and refuses a value that would lose precision.
 */
import { BugError } from '../errors';

/**
 * An optimistic version (`bigint` column, a decimal string from pg) as a number. Versions count
 * updates of one row, so a value beyond 2^53 means a corrupt row rather than a busy one.
 */
export function versionFromColumn(value: string | number | bigint): number {
  const version = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new BugError('STORE.VERSION_INVALID', `version column holds ${String(value)}, not a safe non-negative integer`, { value: String(value) });
  }
  return version;
}

/** A `timestamptz` column (a Date from pg) as the ISO-8601 string the domain uses. */
export function isoFromColumn(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/**
 * A JSON value as a `jsonb` parameter. pg would send a JavaScript array as a PostgreSQL array, not
 * as JSON, so every jsonb parameter is stringified here and cast with `::jsonb` in the SQL.
 */
export function jsonParameter(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
