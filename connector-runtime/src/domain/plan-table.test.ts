import { describe, expect, it } from 'vitest';
import type { FulfillmentPlan, FulfillmentTask } from './fulfillment-plan';
import { formatPlanTable } from './plan-table';
import { snapshotHash } from './snapshot-hash';

function task(taskId: string, sequence: number, dependsOn: string[], overrides: Partial<FulfillmentTask> = {}): FulfillmentTask {
  return {
    taskId,
    fulfillmentPlanId: 'p',
    tenantId: 'tenant-a',
    orderId: 'o',
    orderItemId: 'i',
    sequence,
    templateId: `tpl-${sequence}`,
    taskType: 'RESERVE_RESOURCE',
    phase: 'RESERVATION',
    executionMode: 'AUTOMATED_SYNC',
    ownerSystem: 'inventory-adapter',
    required: true,
    status: dependsOn.length ? 'PENDING' : 'READY',
    dependsOn,
    inputSnapshot: { productCode: 'FIBER-500', action: 'ADD' },
    inputSnapshotHash: snapshotHash({}),
    retryPolicy: { maxAttempts: 3, backoff: 'PT30S' },
    timeoutPolicy: null,
    compensationPolicy: { compensatable: false },
    completedAt: null,
    ...overrides,
  };
}

describe('plan table', () => {
  it('lists tasks with dependencies by sequence number, columns aligned', () => {
    const plan: FulfillmentPlan = {
      fulfillmentPlanId: 'p',
      tenantId: 'tenant-a',
      orderId: 'o',
      orderVersion: 3,
      completionPolicy: 'COMPLETION_ALLOWS_BILLING_PENDING',
      catalogVersion: 'c-1',
      status: 'CREATED',
      tasks: [task('a', 1, []), task('b', 2, ['a'], { required: false, taskType: 'SEND_CUSTOMER_NOTIFICATION', phase: 'COMPLETION' })],
    };
    expect(formatPlanTable(plan)).toBe(
      [
        'plan p for order o v3 (COMPLETION_ALLOWS_BILLING_PENDING, catalog c-1)',
        '# | item          | template | taskType                   | phase       | mode           | owner             | required | status  | dependsOn',
        '--|---------------|----------|----------------------------|-------------|----------------|-------------------|----------|---------|----------',
        '1 | FIBER-500 ADD | tpl-1    | RESERVE_RESOURCE           | RESERVATION | AUTOMATED_SYNC | inventory-adapter | yes      | READY   | -',
        '2 | FIBER-500 ADD | tpl-2    | SEND_CUSTOMER_NOTIFICATION | COMPLETION  | AUTOMATED_SYNC | inventory-adapter | no       | PENDING | 1',
        '',
      ].join('\n'),
    );
  });
});
