/**
 * What every job handler is built with: the OMS database, the partner adapters, metrics and the
 * clock. Handlers stay pure of the SDK (docs/architecture.md §3): they map a validated job to one OMS command and
 * its answer to the job's output variables.
 */
import type pg from 'pg';
import type { TaskExecutionDeps } from '../commands/task-execution';

/** Dependencies of the job handlers. */
export interface HandlerDeps extends TaskExecutionDeps {
  pool: pg.Pool;
}

/** The actor recorded for what a worker of `jobType` changes. */
export function workerActor(jobType: string): string {
  return `worker:${jobType}`;
}
