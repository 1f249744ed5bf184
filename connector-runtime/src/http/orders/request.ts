/**
 * Input of the order API, parsed once at the edge with zod so a bad value is a 400 naming the
 * field. (The caller comes from `../auth/principal`.)
 */
import type { z } from 'zod';
import { ValidationError } from '../../errors';

/** Issues of a failed parse as the problem's `errors`: the dotted path of each field and why. */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path].map(String).join('.') || '(root)', message: issue.message }));
}

/** Parses `value` with `schema`; a `ValidationError` (400) naming every bad field otherwise. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(`${what} is invalid`, issuesOf(result.error));
}
