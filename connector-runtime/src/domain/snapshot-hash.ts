/**
 * Canonical JSON and the `sha256:<hex>` snapshot hash of task inputs (seed §2 `inputSnapshotHash`).
 *
 * The hash must not depend on the order in which keys were written, nor on who serialised the
 * object, because a worker recomputes it from stored rows to prove that a task still runs on the
 * input it was planned with. So keys are sorted (by UTF-16 code unit, like RFC 8785), `undefined`
 * members are dropped as `JSON.stringify` drops them, and values JSON cannot carry are refused
 * instead of being silently turned into `null`.
 */
import { createHash } from 'node:crypto';
import { BugError } from '../errors';

/** A value that has one canonical JSON text. */
export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new BugError('SNAPSHOT.NOT_CANONICAL', `${path} is ${value}, which JSON cannot carry`, { path });
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, index) => write(item === undefined ? null : item, `${path}[${index}]`)).join(',')}]`;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new BugError('SNAPSHOT.NOT_CANONICAL', `${path} is a ${prototype?.constructor?.name ?? 'class instance'}, not plain data`, {
          path,
        });
      }
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key], `${path}.${key}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new BugError('SNAPSHOT.NOT_CANONICAL', `${path} is a ${typeof value}, which JSON cannot carry`, { path });
  }
}

/** The canonical JSON text of plain data: sorted keys, no whitespace, `undefined` members dropped. */
export function canonicalJson(value: CanonicalValue): string {
  return write(value, '$');
}

/** `sha256:<64 hex>` of the canonical JSON of `value`. */
export function snapshotHash(value: CanonicalValue): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}

/** Pattern of a snapshot hash, for schemas and database CHECKs. */
export const snapshotHashPattern = /^sha256:[0-9a-f]{64}$/;
