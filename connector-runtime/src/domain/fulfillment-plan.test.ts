import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './catalog-default';
import { decompose } from './decomposition';
import bundleOrder from './fixtures/broadband-bundle.order.json' with { type: 'json' };
import { fulfillmentPlanSchema, fulfillmentTaskSchema } from './fulfillment-plan';
import { sequentialIdFactory } from './id-factory';
import { parseOrder } from './order';

describe('fulfillment plan schema', () => {
  const plan = decompose(parseOrder(bundleOrder), defaultCatalog, { idFactory: sequentialIdFactory(0xd0) });
  const [first] = plan.tasks;

  it('accepts what decomposition produces, unchanged (the store reads rows back through it)', () => {
    expect(fulfillmentPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it.each([
    ['a malformed snapshot hash', { inputSnapshotHash: 'sha256:abc' }],
    ['an unknown status', { status: 'DONE' }],
    ['a non-uuid dependency', { dependsOn: ['ft-1'] }],
    ['a completion time without offset', { completedAt: '2026-07-02 05:00' }],
    ['an unknown field', { note: 'x' }],
  ])('rejects a task with %s', (_label, change) => {
    expect(fulfillmentTaskSchema.safeParse({ ...first, ...change }).success).toBe(false);
  });

  it('accepts a completed task with its completion time', () => {
    expect(fulfillmentTaskSchema.safeParse({ ...first, status: 'COMPLETED', completedAt: '2026-07-02T05:00:00Z' }).success).toBe(true);
  });
});
