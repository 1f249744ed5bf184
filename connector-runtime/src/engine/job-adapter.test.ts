import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BpmnError, BugError, ConcurrencyConflictError, FalloutError, NotFoundError, TransientError } from '../errors';
import { executeFulfillmentTaskContract } from '../jobs/execute-fulfillment-task/schema';
import { sampleExecuteOutput, sampleTaskIds } from '../jobs/fixtures/sample-job-variables';
import { finalizeOrderFulfillmentContract } from '../jobs/finalize-order-fulfillment/schema';
import { adaptJobHandler, defaultRetryBackoffMs, type EngineJob, type JobHandler } from './job-adapter';

const silent = pino({ level: 'silent' });

const ids = sampleTaskIds;

const done = sampleExecuteOutput;

type Answer = { action: 'complete' | 'fail' | 'error'; payload: unknown };

/** A job that records how it was answered. */
function fakeJob(variables: unknown, overrides: Partial<Pick<EngineJob, 'retries' | 'customHeaders'>> = {}): EngineJob & { answers: Answer[] } {
  const answers: Answer[] = [];
  return {
    key: '2251799813685300',
    type: 'execute-fulfillment-task',
    retries: overrides.retries ?? 3,
    processInstanceKey: '2251799813685299',
    elementId: 'Provisioning_ExecuteTask',
    variables,
    customHeaders: overrides.customHeaders ?? { phase: 'PROVISIONING' },
    answers,
    complete: async (payload) => void answers.push({ action: 'complete', payload }),
    fail: async (payload) => void answers.push({ action: 'fail', payload }),
    error: async (payload) => void answers.push({ action: 'error', payload }),
  };
}

function run(handler: JobHandler<typeof executeFulfillmentTaskContract>, job: EngineJob) {
  return adaptJobHandler(executeFulfillmentTaskContract, handler, silent)(job);
}

describe('job adapter', () => {
  it('given valid variables, when the handler returns valid output, then the job completes with exactly that output and the handler saw the parsed input and headers', async () => {
    const job = fakeJob({ ...ids, unrelated: 'dropped by the schema' });
    let seen: unknown;
    const outcome = await run(async (input, context) => {
      seen = { input, context };
      return done;
    }, job);
    expect(outcome).toBe('completed');
    expect(job.answers).toEqual([{ action: 'complete', payload: done }]);
    expect(seen).toEqual({
      input: ids,
      context: { headers: { phase: 'PROVISIONING' }, jobKey: job.key, idempotencyKey: `zeebe-job:${job.key}`, retries: 3, processInstanceKey: job.processInstanceKey, orderVersion: undefined },
    });
  });

  it('given an invalid variable, then the handler does not run and an incident names the field', async () => {
    const job = fakeJob({ ...ids, orderId: 'ord-9001' });
    let called = false;
    const outcome = await run(async () => {
      called = true;
      return done;
    }, job);
    expect(outcome).toBe('incident');
    expect(called).toBe(false);
    expect(job.answers).toHaveLength(1);
    expect(job.answers[0]).toMatchObject({ action: 'fail', payload: { retries: 0 } });
    expect((job.answers[0]!.payload as { errorMessage: string }).errorMessage).toMatch(/^Invalid input variables of execute-fulfillment-task: orderId: /);
  });

  it('given an invalid header, then an incident names it', async () => {
    const job = fakeJob(ids, { customHeaders: { phase: 'SOMEWHERE' } });
    expect(await run(async () => done, job)).toBe('incident');
    expect((job.answers[0]!.payload as { errorMessage: string }).errorMessage).toContain('Invalid custom headers of execute-fulfillment-task: phase:');
  });

  it('given a transient error, then the job fails with one retry less and the back-off the error names, or the default', async () => {
    const named = fakeJob(ids);
    expect(await run(async () => Promise.reject(new TransientError('ADAPTER.TIMEOUT', 'inventory timed out', { retryBackoffMs: 1500 })), named)).toBe('retry');
    expect(named.answers).toEqual([{ action: 'fail', payload: { errorMessage: 'ADAPTER.TIMEOUT: inventory timed out', retries: 2, retryBackOff: 1500 } }]);
    const unnamed = fakeJob(ids, { retries: 1 });
    expect(await run(async () => Promise.reject(new TransientError('ADAPTER.UNAVAILABLE', 'inventory down')), unnamed)).toBe('incident');
    expect(unnamed.answers[0]!.payload).toMatchObject({ retries: 0, retryBackOff: defaultRetryBackoffMs });
  });

  it('given the runtime database unavailable on the last retry, then the job fails with its retries unchanged and no incident', async () => {
    const job = fakeJob(ids, { retries: 1 });
    expect(await run(async () => Promise.reject(new TransientError('DB.UNAVAILABLE', 'database temporarily unavailable: the database system is shutting down')), job)).toBe('retry');
    expect(job.answers[0]!.payload).toMatchObject({ retries: 1, retryBackOff: defaultRetryBackoffMs });
  });

  it('given a lost optimistic race, then the job is retried at once', async () => {
    const job = fakeJob(ids);
    expect(await run(async () => Promise.reject(new ConcurrencyConflictError('FulfillmentTask', ids.currentTaskId, 4)), job)).toBe('retry');
    expect(job.answers[0]!.payload).toMatchObject({ retries: 2, retryBackOff: 0 });
  });

  it('given a fallout, then the job completes with FALLOUT, the reason, and every other output null', async () => {
    const job = fakeJob(ids);
    expect(await run(async () => Promise.reject(new FalloutError('RESOURCE_CONFLICT', 'port already assigned to another order')), job)).toBe('fallout');
    expect(job.answers).toEqual([
      {
        action: 'complete',
        payload: { ...Object.fromEntries(Object.keys(done).map((key) => [key, null])), currentTaskResult: 'FALLOUT', falloutReason: 'port already assigned to another order' },
      },
    ]);
  });

  it('given a fallout from a job without a fallout route, then it is an incident', async () => {
    const job = fakeJob({ tenantId: ids.tenantId, orderId: ids.orderId, fulfillmentPlanId: ids.fulfillmentPlanId });
    const outcome = await adaptJobHandler(finalizeOrderFulfillmentContract, async () => Promise.reject(new FalloutError('X', 'no route')), silent)(job);
    expect(outcome).toBe('incident');
    expect(job.answers[0]!.payload).toMatchObject({ retries: 0 });
  });

  it('given a BPMN error, then the job throws it to the model', async () => {
    const job = fakeJob(ids);
    expect(await run(async () => Promise.reject(new BpmnError('TASK_REJECTED', 'partner refused the order')), job)).toBe('bpmn-error');
    expect(job.answers).toEqual([{ action: 'error', payload: { errorCode: 'TASK_REJECTED', errorMessage: 'partner refused the order', variables: {} } }]);
  });

  it.each([
    ['a bug', new BugError('BUG.ASSERTION', 'impossible state'), 'BUG.ASSERTION: impossible state'],
    ['a missing task', new NotFoundError('FulfillmentTask', ids.currentTaskId), `FULFILLMENTTASK.NOT_FOUND: FulfillmentTask ${ids.currentTaskId} not found`],
    ['an untyped error', new Error('undefined is not a function'), 'undefined is not a function'],
  ])('given %s, then an incident at once', async (_label, error, message) => {
    const job = fakeJob(ids);
    expect(await run(async () => Promise.reject(error), job)).toBe('incident');
    expect(job.answers).toEqual([{ action: 'fail', payload: { errorMessage: message, retries: 0 } }]);
  });

  it('given output that breaks the contract, then an incident, not a completion', async () => {
    const job = fakeJob(ids);
    expect(await run(async () => ({ ...done, currentTaskResult: 'DONE' }) as never, job)).toBe('incident');
    expect((job.answers[0]!.payload as { errorMessage: string }).errorMessage).toContain('returned invalid output: currentTaskResult:');
  });
});
