import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createFulfillmentMetrics, fulfillmentMetricNames } from './metrics';

describe('fulfillment metrics', () => {
  it('given a registry, then every seed §26 metric name is exposed, once, even before its first event', async () => {
    const registry = new Registry();
    const metrics = createFulfillmentMetrics(registry);
    expect(createFulfillmentMetrics(registry)).toBe(metrics);
    const text = await registry.metrics();
    expect(fulfillmentMetricNames).toHaveLength(14);
    for (const name of fulfillmentMetricNames) expect(text).toContain(`# TYPE ${name} `);
  });

  it('given counted events, then /metrics shows their labelled counts', async () => {
    const registry = new Registry();
    const metrics = createFulfillmentMetrics(registry);
    metrics.taskCompleted.inc({ task_type: 'RESERVE_RESOURCE' });
    metrics.orderCompletionDuration.observe({ end_state: 'COMPLETED' }, 12);
    const text = await registry.metrics();
    expect(text).toContain('fulfillment_task_completed_total{task_type="RESERVE_RESOURCE"} 1');
    expect(text).toContain('order_completion_duration_seconds_count{end_state="COMPLETED"} 1');
  });
});
