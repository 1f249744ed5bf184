/**
 * Opens a job stream per job type (push, docs/architecture.md §3: Camunda measured push halving p50 against
 * polling) and answers every job through the adapter. The only place that hands jobs from the SDK
 * to handlers.
 */
import { Zeebe } from '@camunda8/sdk';
import { Counter, type Registry } from 'prom-client';
import type { JobContract } from '../jobs/job-contract';
import type { Logger } from '../observability/logger';
import { createFulfillmentMetrics } from '../observability/metrics';
import type { ZeebeClient } from './camunda-connection';
import { adaptJobHandler, type EngineJob, type JobHandler } from './job-adapter';

/** Options of a worker. */
export interface JobWorkerOptions {
  log: Logger;
  /** Worker name shown in Operate (default `fulfillment-pack`). */
  worker?: string;
  /** Job lock while a handler runs (default 5 minutes; a handler persists before answering). */
  timeoutMs?: number;
  /** Safety-net poll for jobs the stream missed (default 30 s, the SDK's). */
  pollIntervalMs?: number;
  registry?: Registry;
}

const counters = new WeakMap<Registry, Counter>();

function outcomeCounter(registry: Registry): Counter {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({ name: 'fulfillment_jobs_total', help: 'Jobs answered, by job type and outcome', labelNames: ['job_type', 'outcome'], registers: [registry] });
    counters.set(registry, counter);
  }
  return counter;
}

/** Streams jobs of `contract.type` to `handler`; resolves once the stream is open. */
export async function startJobWorker<C extends JobContract>(zeebe: ZeebeClient, contract: C, handler: JobHandler<C>, options: JobWorkerOptions): Promise<{ close(): void }> {
  const answer = adaptJobHandler(contract, handler, options.log);
  const counter = options.registry ? outcomeCounter(options.registry) : undefined;
  return zeebe.streamJobs({
    type: contract.type,
    worker: options.worker ?? 'fulfillment-pack',
    tenantIds: [],
    timeout: options.timeoutMs ?? 5 * 60_000,
    ...(options.pollIntervalMs === undefined ? {} : { pollInterval: options.pollIntervalMs }),
    taskHandler: async (job) => {
      const outcome = await answer(job as unknown as EngineJob);
      counter?.inc({ job_type: contract.type, outcome });
      if (outcome === 'incident' && options.registry) createFulfillmentMetrics(options.registry).workerIncident.inc({ job_type: contract.type });
      return Zeebe.Types.JOB_ACTION_ACKNOWLEDGEMENT;
    },
  });
}

function isClientCancellation(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('CANCELLED: Cancelled on client');
  const error = value as { code?: unknown; details?: unknown } | null;
  return error !== null && typeof error === 'object' && error.code === 1 && error.details === 'Cancelled on client';
}

/**
 * Runs `close` (closing job streams and the client) without the SDK's report of each stream it
 * cancels: its stream worker prints every stream error to the console, the CANCELLED of a stream
 * closed on purpose included, which would bury a Ctrl-C under stack traces. Only those expected
 * reports (and the "channel closed" notices) are dropped, and only while `close` runs (and a
 * moment after, for late reports).
 */
export async function withoutStreamCancellationReports<T>(close: () => Promise<T>): Promise<T> {
  const original = { error: console.error, info: console.info };
  console.error = (...args: unknown[]) => {
    if (args.some(isClientCancellation)) return;
    original.error(...args);
  };
  // The SDK also announces each channel it closes, at info level, whatever its log level says.
  console.info = (...args: unknown[]) => {
    if (args.some((arg) => typeof arg === 'string' && arg.includes('Grpc channel closed'))) return;
    original.info(...args);
  };
  try {
    return await close();
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.error = original.error;
    console.info = original.info;
  }
}
