/**
 * The one adapter between job handlers and the engine (docs/architecture.md §3): it validates a job's variables
 * and headers against the job contract, runs the handler, validates its output, and answers the
 * job on every path:
 * - input or headers invalid -> fail with 0 retries (an incident whose message names the fields);
 * - TransientError or ConcurrencyConflictError -> fail with retries - 1 and the back-off; the
 *   runtime's own database unavailable (DB.UNAVAILABLE) -> fail with the retries unchanged;
 * - FalloutError -> complete with currentTaskResult FALLOUT and falloutReason (seed §15);
 * - BpmnError -> throw the BPMN error to the model's boundary;
 * - anything else (a bug, a validation or not-found error, invalid output) -> fail with 0 retries.
 * Handlers never see the SDK; only this file knows how a job is answered.
 */
import type { z } from 'zod';
import { BpmnError, ConcurrencyConflictError, FalloutError, TransientError } from '../errors';
import type { JobContract } from '../jobs/job-contract';
import { falloutReasonMaxLength } from '../jobs/contract-fields';
import type { Logger } from '../observability/logger';

/** What the adapter needs of an activated job; the SDK's job satisfies it. */
export interface EngineJob {
  readonly key: string;
  readonly type: string;
  readonly retries: number;
  readonly processInstanceKey: string;
  readonly elementId: string;
  readonly variables: unknown;
  readonly customHeaders: unknown;
  complete(variables?: Record<string, unknown>): Promise<unknown>;
  fail(configuration: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<unknown>;
  error(configuration: { errorCode: string; errorMessage?: string; variables: Record<string, unknown> }): Promise<unknown>;
}

/** What a handler learns about its job besides the validated input. */
export interface JobContext<Headers> {
  headers: Headers;
  jobKey: string;
  /** Stable across retries and re-activations of this job: the key of external idempotency. */
  idempotencyKey: string;
  /** Retries left, this attempt included. */
  retries: number;
  processInstanceKey: string;
  /**
   * The order version the process was started for (seed §5 `orderVersion`), when the variables
   * carry it: a handler compares it with the OMS to tell that the order changed under the workflow.
   */
  orderVersion: number | undefined;
}

/** A handler: pure of the SDK, throws typed errors. */
export type JobHandler<C extends JobContract> = (
  input: z.output<C['input']>,
  context: JobContext<z.output<C['headers']>>,
) => Promise<z.input<C['output']>>;

/** How a job was answered, for logs, metrics and tests. */
export type JobOutcome = 'completed' | 'fallout' | 'retry' | 'bpmn-error' | 'incident';

/** The code of a TransientError for the runtime's own database being unreachable (store/database.ts). */
const databaseUnavailableCode = 'DB.UNAVAILABLE';

/** Back-off when a transient error names none (its details may carry `retryBackoffMs`). */
export const defaultRetryBackoffMs = 5000;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

function backoffOf(error: TransientError | ConcurrencyConflictError): number {
  const given = error.details['retryBackoffMs'];
  // A lost optimistic race is retried at once: the next attempt reloads the state.
  if (error instanceof ConcurrencyConflictError) return 0;
  return typeof given === 'number' && given >= 0 ? given : defaultRetryBackoffMs;
}

/** Output variables of a fallout completion: every output key present, null unless set. */
function falloutVariables(contract: JobContract, reason: string): Record<string, unknown> {
  const variables: Record<string, unknown> = Object.fromEntries(Object.keys(contract.output.shape).map((key) => [key, null]));
  variables['currentTaskResult'] = 'FALLOUT';
  variables['falloutReason'] = reason.slice(0, falloutReasonMaxLength);
  return variables;
}

/** The seed §26 log fields a job's validated input names. */
function logFieldsOf(input: unknown): Record<string, unknown> {
  const value = input as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  if (typeof value.tenantId === 'string') fields.tenantId = value.tenantId;
  if (typeof value.orderId === 'string') fields.orderId = value.orderId;
  if (typeof value.orderId === 'string') fields.correlationId = value.orderId;
  if (typeof value.fulfillmentPlanId === 'string') fields.fulfillmentPlanId = value.fulfillmentPlanId;
  if (typeof value.currentTaskId === 'string') fields.fulfillmentTaskId = value.currentTaskId;
  return fields;
}

/**
 * Wraps `handler` for `contract`: the returned function answers a job and resolves with the
 * outcome. It never rejects for a handler's failure; only an engine call that fails rejects.
 */
export function adaptJobHandler<C extends JobContract>(contract: C, handler: JobHandler<C>, log: Logger): (job: EngineJob) => Promise<JobOutcome> {
  const hasFalloutRoute = 'currentTaskResult' in contract.output.shape && 'falloutReason' in contract.output.shape;
  return async (job) => {
    const started = Date.now();
    let context: Record<string, unknown> = { jobType: job.type, jobKey: job.key, processInstanceKey: job.processInstanceKey, elementId: job.elementId };
    const incident = async (message: string, error?: unknown): Promise<JobOutcome> => {
      log.error({ ...context, err: error }, `job ${job.type} raised an incident: ${message}`);
      await job.fail({ errorMessage: message, retries: 0 });
      return 'incident';
    };

    const input = contract.input.safeParse(job.variables);
    if (!input.success) return incident(`Invalid input variables of ${job.type}: ${describeIssues(input.error)}`);
    const headers = contract.headers.safeParse(job.customHeaders ?? {});
    if (!headers.success) return incident(`Invalid custom headers of ${job.type}: ${describeIssues(headers.error)}`);
    context = { ...context, ...logFieldsOf(input.data) };
    const orderVersion = (job.variables as { orderVersion?: unknown } | null)?.orderVersion;

    let result: unknown;
    try {
      // The contract's own schemas parsed these, so they have its types.
      result = await handler(input.data as z.output<C['input']>, {
        headers: headers.data as z.output<C['headers']>,
        jobKey: job.key,
        idempotencyKey: `zeebe-job:${job.key}`,
        retries: job.retries,
        processInstanceKey: job.processInstanceKey,
        orderVersion: Number.isSafeInteger(orderVersion) && (orderVersion as number) >= 0 ? (orderVersion as number) : undefined,
      });
    } catch (error) {
      if (error instanceof TransientError || error instanceof ConcurrencyConflictError) {
        // The runtime's own database down (a restart, a failover) says nothing about the task: the
        // job waits for it, as the relays do, instead of spending the retries meant for partners
        // and ending in an incident after a few seconds of outage.
        const retries = error instanceof TransientError && error.code === databaseUnavailableCode ? job.retries : Math.max(0, job.retries - 1);
        const retryBackOff = backoffOf(error);
        log.warn({ ...context, err: error, retries, retryBackOff }, `job ${job.type} failed transiently`);
        await job.fail({ errorMessage: `${error.code}: ${error.message}`, retries, retryBackOff });
        return retries === 0 ? 'incident' : 'retry';
      }
      if (error instanceof FalloutError) {
        if (!hasFalloutRoute) return incident(`${job.type} reported fallout, but its contract has no fallout route: ${error.message}`, error);
        log.info({ ...context, code: error.code }, `job ${job.type} went to fallout: ${error.message}`);
        await job.complete(falloutVariables(contract, error.message));
        return 'fallout';
      }
      if (error instanceof BpmnError) {
        log.info({ ...context, errorCode: error.errorCode }, `job ${job.type} threw BPMN error ${error.errorCode}`);
        await job.error({ errorCode: error.errorCode, errorMessage: error.message, variables: {} });
        return 'bpmn-error';
      }
      const message = error instanceof Error ? `${'code' in error ? `${String(error.code)}: ` : ''}${error.message}` : String(error);
      return incident(message, error);
    }

    const output = contract.output.safeParse(result);
    if (!output.success) return incident(`${job.type} returned invalid output: ${describeIssues(output.error)}`);
    await job.complete(output.data as Record<string, unknown>);
    const after = (output.data as { currentTaskResult?: unknown }).currentTaskResult;
    log.info({ ...context, durationMs: Date.now() - started, ...(typeof after === 'string' ? { stateAfter: after } : {}) }, `job ${job.type} completed`);
    return 'completed';
  };
}
