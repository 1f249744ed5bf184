/**
 * Where plan and task ids come from. Decomposition takes the factory as an argument so production
 * gets random UUIDs and tests and fixtures get the same ids on every run.
 */
import { randomUUID } from 'node:crypto';

/** Returns a new UUID on each call. */
export type IdFactory = () => string;

/** Random version-4 UUIDs. */
export const randomIdFactory: IdFactory = () => randomUUID();

/**
 * Deterministic UUIDs `<namespace>-0000-4000-8000-<counter>`: valid version-4 UUIDs whose first
 * group tells fixtures apart and whose last group counts from 1 in call order.
 */
export function sequentialIdFactory(namespace = 0): IdFactory {
  if (!Number.isInteger(namespace) || namespace < 0 || namespace > 0xffffffff) {
    throw new RangeError('namespace must be an integer between 0 and 0xffffffff');
  }
  const prefix = namespace.toString(16).padStart(8, '0');
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  };
}
