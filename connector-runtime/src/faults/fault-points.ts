/**
 * Fault points: named places in the runtime where a fault-injection test asks, through the
 * FAULT_POINTS setting, for a crash, an error or a pause. The code under test is never edited
 * to inject a fault; in production FAULT_POINTS is unset and every point is a no-op.
 *
 * Actions:
 * - `kill`: the process dies at once with SIGKILL, as under `kill -9` or an OOM kill: no
 *   `finally`, no shutdown hook, no open transaction committed;
 * - `throw`: a TransientError (the job is retried, the relay round fails and backs off);
 * - `delay`: waits `delayMs` and goes on (a handler slower than its job timeout).
 * `skip` lets the first hits pass; `times` limits how often the fault fires (default: always,
 * `kill` fires once by nature).
 */
import { z } from 'zod';
import { TransientError } from '../errors';

/** Every fault point, where it sits. */
export const faultPointDocs = {
  'task.before-partner-call': 'a task attempt is claimed and committed; the partner has not been called yet',
  'task.after-partner-call': 'the partner answered (its side effect happened); the answer is not committed yet',
  'outbox.after-send': 'a batch of outbox events reached Kafka; the rows are not marked published yet',
  'callback.after-store': 'a partner callback is stored as evidence; it is not processed yet',
} as const;

export type FaultPointName = keyof typeof faultPointDocs;
export const faultPointNames = Object.keys(faultPointDocs) as FaultPointName[];

export const faultSpecSchema = z.strictObject({
  action: z.enum(['kill', 'throw', 'delay']),
  delayMs: z.number().int().min(0).max(3_600_000).optional(),
  skip: z.number().int().min(0).optional(),
  times: z.number().int().min(1).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export const faultPointsSchema = z.partialRecord(z.enum(faultPointNames as [FaultPointName, ...FaultPointName[]]), faultSpecSchema);
export type FaultPointsConfig = z.infer<typeof faultPointsSchema>;

/** Where the runtime asks whether to fail. */
export interface FaultPoints {
  hit(name: FaultPointName): Promise<void>;
}

/** No faults: production. */
export const noFaults: FaultPoints = { hit: async () => undefined };

/** Fault points as configured; `onFire` hears of each fault before it acts (the kill writes it to stderr). */
export function createFaultPoints(config: FaultPointsConfig | undefined, onFire?: (name: FaultPointName, spec: FaultSpec) => void): FaultPoints {
  const entries = Object.entries(config ?? {}) as [FaultPointName, FaultSpec][];
  if (entries.length === 0) return noFaults;
  const hits = new Map<FaultPointName, number>();
  const fired = new Map<FaultPointName, number>();
  return {
    async hit(name) {
      const spec = config?.[name];
      if (!spec) return;
      const hit = (hits.get(name) ?? 0) + 1;
      hits.set(name, hit);
      if (hit <= (spec.skip ?? 0)) return;
      const times = fired.get(name) ?? 0;
      if (spec.times !== undefined && times >= spec.times) return;
      fired.set(name, times + 1);
      onFire?.(name, spec);
      switch (spec.action) {
        case 'kill':
          // synchronous write: a logger's buffer would die with the process
          process.stderr.write(`fault point ${name}: killing process ${process.pid}\n`);
          process.kill(process.pid, 'SIGKILL');
          // SIGKILL is not delivered synchronously on every platform; nothing may run past this point
          await new Promise<never>(() => undefined);
          return;
        case 'throw':
          throw new TransientError('FAULT.INJECTED', `fault injected at ${name}`, { faultPoint: name });
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, spec.delayMs ?? 0));
          return;
      }
    },
  };
}
