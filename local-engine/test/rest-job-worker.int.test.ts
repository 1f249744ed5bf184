/**
 * Conformance: job workers of `@camunda8/orchestration-cluster-api` 8.8.x (`createJobWorker`),
 * which long-poll `POST /v2/jobs/activation` and answer each job over REST, against the local
 * engine, as the gRPC suite drives `@camunda8/sdk`'s workers. Each case names the page of
 * Camunda's REST API reference it relies on
 * (docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/<page>/).
 */
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, oneTask, serviceTask } from './fixtures';
import { startHarness, type Harness } from './harness';
import { deployBpmn, orchestrationClient, processInstanceState } from './rest-client';

let h: Harness;
let api: CamundaClientLoose;

beforeAll(async () => {
  h = await startHarness('le_rest_worker');
  api = orchestrationClient(h);
});
afterEach(() => {
  api.stopAllWorkers();
});
afterAll(async () => {
  await h.close();
});

const deployRest = (processId: string, xml: string) => deployBpmn(api, processId, xml);
const stateOf = (processInstanceKey: string) => processInstanceState(api, processInstanceKey);

/** Polls until `check` holds (the worker acts on its own schedule). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('REST job worker', () => {
  // specifications/activate-jobs, complete-job and create-process-instance (awaitCompletion): the
  // worker's long poll gets the job, its completion ends the instance the creation waits for
  it('activates and completes jobs while a creation awaits the result', async () => {
    await deployRest('rw-complete', oneTask('rw-complete', 'rw-complete-work'));
    const seen: Array<Record<string, unknown>> = [];
    api.createJobWorker({
      jobType: 'rw-complete-work',
      jobTimeoutMs: 60_000,
      maxParallelJobs: 4,
      fetchVariables: ['orderId'],
      jobHandler: (job) => {
        seen.push(job.variables);
        return job.complete({ reserved: true, orderId: job.variables.orderId });
      },
    });
    const created = await api.createProcessInstance({ processDefinitionId: 'rw-complete', variables: { orderId: 'o-1', note: 'x' }, awaitCompletion: true, fetchVariables: ['reserved'], requestTimeout: 5_000 });
    expect(created.variables).toEqual({ reserved: true });
    expect(seen).toEqual([{ orderId: 'o-1' }]);
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
  });

  // specifications/fail-job: the worker fails the job with a retry back-off; after the back-off
  // (on the engine's clock) the worker gets it again, with the retries it left
  it('fails a job with a back-off and gets it again afterwards', async () => {
    await deployRest('rw-fail', oneTask('rw-fail', 'rw-fail-work', { retries: 3 }));
    const attempts: number[] = [];
    api.createJobWorker({
      jobType: 'rw-fail-work',
      jobTimeoutMs: 60_000,
      maxParallelJobs: 1,
      jobHandler: (job) => {
        attempts.push(job.retries);
        if (attempts.length === 1) return job.fail({ retries: job.retries - 1, errorMessage: 'carrier down', retryBackOff: 60_000 });
        return job.complete();
      },
    });
    const created = await api.createProcessInstance({ processDefinitionId: 'rw-fail' });
    await eventually(async () => attempts.length === 1);
    // nothing comes back before the back-off has passed
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts).toEqual([3]);
    h.clock.advance(60_000);
    await eventually(async () => (await stateOf(created.processInstanceKey)) === 'COMPLETED');
    expect(attempts).toEqual([3, 2]);
  });

  // specifications/throw-job-error: the worker's BPMN error is caught by an error boundary event
  it('throws a BPMN error that a boundary event catches', async () => {
    await deployRest(
      'rw-error',
      definitions(
        'rw-error',
        `<bpmn:startEvent id="start"/>${serviceTask('charge', 'rw-error-work')}
         <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="errDeclined"/></bpmn:boundaryEvent>
         ${serviceTask('notify', 'rw-notify-work')}<bpmn:endEvent id="charged"/><bpmn:endEvent id="notified"/>
         ${flow('f1', 'start', 'charge')}${flow('f2', 'charge', 'charged')}${flow('f3', 'declined', 'notify')}${flow('f4', 'notify', 'notified')}`,
        '<bpmn:error id="errDeclined" name="Declined" errorCode="PAYMENT_DECLINED"/>',
      ),
    );
    api.createJobWorker({
      jobType: 'rw-error-work',
      jobTimeoutMs: 60_000,
      maxParallelJobs: 1,
      jobHandler: (job) => job.error({ errorCode: 'PAYMENT_DECLINED', errorMessage: 'card declined', variables: { reason: 'card' } }),
    });
    const notified: Array<Record<string, unknown>> = [];
    api.createJobWorker({
      jobType: 'rw-notify-work',
      jobTimeoutMs: 60_000,
      maxParallelJobs: 1,
      jobHandler: (job) => {
        notified.push(job.variables);
        return job.complete();
      },
    });
    const created = await api.createProcessInstance({ processDefinitionId: 'rw-error', awaitCompletion: true, requestTimeout: 5_000 });
    expect(notified).toEqual([{ reason: 'card' }]);
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
  });

  // specifications/activate-jobs: a stopped worker's pending long poll leaves no job behind —
  // a job created afterwards goes to the next client that asks
  it('hands no job to a worker that stopped polling', async () => {
    await deployRest('rw-stop', oneTask('rw-stop', 'rw-stop-work'));
    const worker = api.createJobWorker({ jobType: 'rw-stop-work', jobTimeoutMs: 60_000, maxParallelJobs: 1, jobHandler: (job) => job.complete() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    worker.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const created = await api.createProcessInstance({ processDefinitionId: 'rw-stop' });
    const { jobs } = await api.activateJobs({ type: 'rw-stop-work', worker: 'next', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: 2_000 });
    expect(jobs.map((j) => j.processInstanceKey)).toEqual([created.processInstanceKey]);
  });
});
