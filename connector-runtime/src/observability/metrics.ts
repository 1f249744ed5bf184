/**
 * The seed §26 metrics, by their seed names, on one prom-client registry. Commands, workers,
 * relays and the callback route increment them where the counted thing happens; `/metrics` shows
 * them. Every name is listed in {@link fulfillmentMetricNames}, and a test checks each one appears.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** The 14 metric names of seed §26, in the seed's order. */
export const fulfillmentMetricNames = [
  'fulfillment_process_started_total',
  'fulfillment_process_completed_total',
  'fulfillment_process_fallout_total',
  'fulfillment_task_started_total',
  'fulfillment_task_completed_total',
  'fulfillment_task_failed_total',
  'fulfillment_task_timeout_total',
  'fulfillment_task_retry_total',
  'fulfillment_external_callback_received_total',
  'fulfillment_external_callback_duplicate_total',
  'fulfillment_compensation_started_total',
  'fulfillment_compensation_failed_total',
  'order_completion_duration_seconds',
  'worker_incident_total',
] as const;

/** The metrics, each registered on the registry given to {@link createFulfillmentMetrics}. */
export interface FulfillmentMetrics {
  processStarted: Counter<'tenant_id'>;
  /** By end state (COMPLETED, CANCELLED, ...). */
  processCompleted: Counter<'tenant_id' | 'end_state'>;
  /** Fallout cases opened, by category. */
  processFallout: Counter<'tenant_id' | 'category'>;
  taskStarted: Counter<'task_type'>;
  taskCompleted: Counter<'task_type'>;
  taskFailed: Counter<'task_type'>;
  /** Hard timeouts and soft reminders (`kind`). */
  taskTimeout: Counter<'task_type' | 'kind'>;
  /** A task made READY again after a failure, timeout or fallout (seed §15 business retry). */
  taskRetry: Counter<'task_type'>;
  callbackReceived: Counter<'system'>;
  callbackDuplicate: Counter<'system'>;
  compensationStarted: Counter<'tenant_id'>;
  compensationFailed: Counter<'task_type'>;
  /** From order creation to its end state. */
  orderCompletionDuration: Histogram<'end_state'>;
  /** Jobs answered with an incident (retries 0), by job type. */
  workerIncident: Counter<'job_type'>;
}

const cache = new WeakMap<Registry, FulfillmentMetrics>();

/** The metrics on `registry`, created on first use (one set per registry). */
export function createFulfillmentMetrics(registry: Registry): FulfillmentMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const metrics: FulfillmentMetrics = {
    processStarted: new Counter({ name: 'fulfillment_process_started_total', help: 'Fulfillment plan executions started by the workflow', labelNames: ['tenant_id'], registers }),
    processCompleted: new Counter({ name: 'fulfillment_process_completed_total', help: 'Fulfillments that reached an end state, by end state', labelNames: ['tenant_id', 'end_state'], registers }),
    processFallout: new Counter({ name: 'fulfillment_process_fallout_total', help: 'Fallout cases opened, by category', labelNames: ['tenant_id', 'category'], registers }),
    taskStarted: new Counter({ name: 'fulfillment_task_started_total', help: 'Fulfillment task attempts started', labelNames: ['task_type'], registers }),
    taskCompleted: new Counter({ name: 'fulfillment_task_completed_total', help: 'Fulfillment tasks completed', labelNames: ['task_type'], registers }),
    taskFailed: new Counter({ name: 'fulfillment_task_failed_total', help: 'Fulfillment task attempts failed', labelNames: ['task_type'], registers }),
    taskTimeout: new Counter({ name: 'fulfillment_task_timeout_total', help: 'Task timeouts (hard) and soft reminders', labelNames: ['task_type', 'kind'], registers }),
    taskRetry: new Counter({ name: 'fulfillment_task_retry_total', help: 'Tasks made ready again after a failure, timeout or fallout', labelNames: ['task_type'], registers }),
    callbackReceived: new Counter({ name: 'fulfillment_external_callback_received_total', help: 'Verified partner callbacks stored', labelNames: ['system'], registers }),
    callbackDuplicate: new Counter({ name: 'fulfillment_external_callback_duplicate_total', help: 'Partner callbacks recognised as duplicates', labelNames: ['system'], registers }),
    compensationStarted: new Counter({ name: 'fulfillment_compensation_started_total', help: 'Compensation plans started', labelNames: ['tenant_id'], registers }),
    compensationFailed: new Counter({ name: 'fulfillment_compensation_failed_total', help: 'Compensation steps failed', labelNames: ['task_type'], registers }),
    orderCompletionDuration: new Histogram({
      name: 'order_completion_duration_seconds',
      help: 'Time from order creation to its fulfillment end state',
      labelNames: ['end_state'],
      buckets: [1, 5, 15, 60, 300, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
      registers,
    }),
    workerIncident: new Counter({ name: 'worker_incident_total', help: 'Jobs answered with an incident', labelNames: ['job_type'], registers }),
  };
  cache.set(registry, metrics);
  return metrics;
}
