/**
 * Every event type of seed §20 has an emitter in the runtime's own code: a command that writes it
 * to the outbox after the state change it reports. The task events come from the task state
 * machine's transition table (`taskEventTypes`); the others are written by name. A new seed event
 * without an emitter, or an emitter renamed away from the seed's name, fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskEventTypes } from '../store/task-transitions';

/** The 17 event types of seed §20. */
const seedEventTypes = [
  'OrderFulfillmentRequested',
  'FulfillmentPlanExecutionStarted',
  'FulfillmentTaskStarted',
  'FulfillmentTaskCompleted',
  'FulfillmentTaskFailed',
  'FulfillmentTaskTimedOut',
  'FulfillmentTaskSkipped',
  'FulfillmentFalloutOpened',
  'FulfillmentFalloutRepaired',
  'CompensationStarted',
  'CompensationTaskCompleted',
  'CompensationFailed',
  'InstalledBaseUpdated',
  'BillingActivationRequested',
  'BillingActivationCompleted',
  'OrderFulfillmentCompleted',
  'OrderFulfillmentFailed',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('seed §20 events', () => {
  const root = new URL('..', import.meta.url).pathname;
  const emitted = new Set<string>(Object.values(taskEventTypes));
  for (const file of sources(join(root, 'commands'))) {
    // `eventType: 'X'` in an emitEvent call, or an entry of an end-state -> event table (finalize).
    for (const match of readFileSync(file, 'utf8').matchAll(/eventType: '([A-Za-z]+)'|^ {2}[A-Z_]+: '([A-Z][A-Za-z]+)',$/gm)) emitted.add(match[1] ?? match[2]!);
  }

  it.each(seedEventTypes)('%s has an emitter in connector-runtime/src/commands or the task transition table', (eventType) => {
    expect(emitted.has(eventType)).toBe(true);
  });
});
