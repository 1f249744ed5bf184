/**
 * Conformance: the command surface of the Orchestration Cluster REST API (8.8) — deployments,
 * process instances, jobs, messages, signals, variables, process definitions and the clock —
 * driven only through `@camunda8/orchestration-cluster-api` 8.8.x. Each case names the page of
 * Camunda's REST API reference it checks
 * (docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/<page>/).
 * Where a case crosses to gRPC, it shows that both protocols see one engine state.
 */
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, oneTask, serviceTask } from './fixtures';
import { startHarness, type Harness } from './harness';
import { deployBpmn, orchestrationClient, processInstanceState, resourceFile, strongly } from './rest-client';

let h: Harness;
let api: CamundaClientLoose;

beforeAll(async () => {
  h = await startHarness('le_rest_cmd');
  api = orchestrationClient(h);
});
afterAll(async () => {
  await h.close();
});

const deployRest = (processId: string, xml: string) => deployBpmn(api, processId, xml);
const stateOf = (processInstanceKey: string) => processInstanceState(api, processInstanceKey);

async function activateOne(type: string, timeout = 60_000) {
  const { jobs } = await api.activateJobs({ type, worker: 'rest-test', maxJobsToActivate: 1, timeout, requestTimeout: -1 });
  return jobs[0];
}

/** start -> catch "stock-reserved" keyed by orderId -> end. */
const waitForMessage = (processId: string) =>
  definitions(
    processId,
    `<bpmn:startEvent id="start"/>
     <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="end"/>
     ${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'end')}`,
    message('m1', `${processId}-stock-reserved`, '=orderId'),
  );

describe('deployments and process instances', () => {
  // specifications/create-deployment: multipart `resources`, answers the deployment key and per
  // resource a processDefinition with its key
  it('deploys a BPMN file as multipart and answers its process definition', async () => {
    const deployment = await deployRest('rc-deploy', oneTask('rc-deploy', 'rc-deploy-work'));
    expect(deployment.deploymentKey).toMatch(/^\d+$/);
    expect(deployment.tenantId).toBe('<default>');
    expect(deployment.deployments).toHaveLength(1);
    const process = deployment.deployments[0]!.processDefinition!;
    expect(process).toMatchObject({ processDefinitionId: 'rc-deploy', processDefinitionVersion: 1, resourceName: 'rc-deploy.bpmn', tenantId: '<default>' });
    expect(process.processDefinitionKey).toMatch(/^\d+$/);
    // the gRPC side starts an instance of what REST deployed
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'rc-deploy', variables: {} });
    expect(created.processDefinitionKey).toBe(process.processDefinitionKey);
  });

  // specifications/create-deployment: an invalid resource rejects the deployment (400)
  it('answers 400 INVALID_ARGUMENT for a resource that is not BPMN', async () => {
    await expect(api.createDeployment({ resources: [resourceFile('broken.bpmn', '<nope')] })).rejects.toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
  });

  // specifications/create-process-instance: by process id, latest version; keys are strings
  it('creates a process instance and answers its key', async () => {
    await deployRest('rc-create', oneTask('rc-create', 'rc-create-work'));
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-create', variables: { orderId: 'o-1' } });
    expect(created).toMatchObject({ processDefinitionId: 'rc-create', processDefinitionVersion: 1, tenantId: '<default>' });
    expect(created.processInstanceKey).toMatch(/^\d+$/);
    expect(await stateOf(created.processInstanceKey)).toBe('ACTIVE');
    const job = await activateOne('rc-create-work');
    expect(job!.processInstanceKey).toBe(created.processInstanceKey);
    expect(job!.variables).toEqual({ orderId: 'o-1' });
  });

  // specifications/create-process-instance: 404 for a process that was never deployed
  it('answers 404 NOT_FOUND for an unknown process id', async () => {
    await expect(api.createProcessInstance({ processDefinitionId: 'rc-never-deployed' })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  // specifications/create-process-instance: awaitCompletion answers with the root variables, only
  // those named in fetchVariables
  it('awaits completion and answers the fetched variables', async () => {
    const deployment = await deployRest(
      'rc-await',
      definitions('rc-await', `<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>${flow('f1', 'start', 'end')}`),
    );
    const created = await api.createProcessInstance({
      processDefinitionKey: deployment.processes[0]!.processDefinitionKey,
      variables: { orderId: 'o-2', secret: 's' },
      awaitCompletion: true,
      fetchVariables: ['orderId'],
    });
    expect(created.variables).toEqual({ orderId: 'o-2' });
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
  });

  // specifications/create-process-instance: an instance that does not complete within the
  // requestTimeout answers 504 (DEADLINE_EXCEEDED); the instance stays active
  it('answers 504 when the awaited instance does not complete in time', async () => {
    await deployRest('rc-await-timeout', oneTask('rc-await-timeout', 'rc-await-timeout-work'));
    await expect(api.createProcessInstance({ processDefinitionId: 'rc-await-timeout', awaitCompletion: true, requestTimeout: 200 })).rejects.toMatchObject({ status: 504, title: 'DEADLINE_EXCEEDED' });
  });

  // specifications/cancel-process-instance: 204, the instance is terminated; 404 for an unknown key
  it('cancels an instance and answers 404 for an unknown key', async () => {
    await deployRest('rc-cancel', oneTask('rc-cancel', 'rc-cancel-work'));
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-cancel' });
    await api.cancelProcessInstance({ processInstanceKey: created.processInstanceKey });
    expect(await stateOf(created.processInstanceKey)).toBe('TERMINATED');
    await expect(api.cancelProcessInstance({ processInstanceKey: created.processInstanceKey })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
    await expect(api.cancelProcessInstance({ processInstanceKey: '2251799813999999' })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });
});

describe('jobs', () => {
  // specifications/activate-jobs and complete-job: an ActivatedJobResult with string keys and
  // object headers and variables; completing it completes the task
  it('activates and completes a job', async () => {
    await deployRest('rc-job', oneTask('rc-job', 'rc-job-work', { headers: { mode: 'sync' } }));
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-job', variables: { orderId: 'o-3' } });
    const job = (await activateOne('rc-job-work'))!;
    expect(job).toMatchObject({
      type: 'rc-job-work',
      processDefinitionId: 'rc-job',
      processDefinitionVersion: 1,
      elementId: 'task',
      customHeaders: { mode: 'sync' },
      worker: 'rest-test',
      retries: 3,
      variables: { orderId: 'o-3' },
      tenantId: '<default>',
      processInstanceKey: created.processInstanceKey,
      kind: 'BPMN_ELEMENT',
    });
    expect(job.jobKey).toMatch(/^\d+$/);
    expect(job.deadline).toBe(h.clock.now() + 60_000);
    await api.completeJob({ jobKey: job.jobKey, variables: { reserved: true } });
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
    await expect(api.completeJob({ jobKey: job.jobKey })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  // specifications/activate-jobs: a long poll answers as soon as a job of the type appears
  it('answers a long poll when a job is created', async () => {
    await deployRest('rc-poll', oneTask('rc-poll', 'rc-poll-work'));
    const polling = api.activateJobs({ type: 'rc-poll-work', worker: 'rest-test', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-poll' });
    const { jobs } = await polling;
    expect(jobs.map((j) => j.processInstanceKey)).toEqual([created.processInstanceKey]);
  });

  // specifications/activate-jobs: a request without a type answers 400
  it('answers 400 INVALID_ARGUMENT for an activation without a type', async () => {
    await expect(api.activateJobs({ type: '', maxJobsToActivate: 1, timeout: 1000 })).rejects.toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
  });

  // specifications/fail-job: with retries left and a back-off the job comes back after the
  // back-off (on the engine's clock), with the retries the worker gave it
  it('fails a job with retries and a back-off', async () => {
    await deployRest('rc-fail', oneTask('rc-fail', 'rc-fail-work'));
    await api.createProcessInstance({ processDefinitionId: 'rc-fail' });
    const job = (await activateOne('rc-fail-work'))!;
    await api.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'warehouse busy', retryBackOff: 30_000 });
    expect(await activateOne('rc-fail-work')).toBeUndefined();
    h.clock.advance(30_000);
    const again = (await activateOne('rc-fail-work'))!;
    expect(again.jobKey).toBe(job.jobKey);
    expect(again.retries).toBe(2);
    // a failed job with no retries left raises an incident; failing it again is refused (409)
    await api.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'gave up' });
    await expect(api.failJob({ jobKey: job.jobKey, retries: 0 })).rejects.toMatchObject({ status: 409, title: 'INVALID_STATE' });
  });

  // specifications/throw-job-error: the BPMN error is caught by the task's error boundary event
  it('throws a BPMN error that a boundary event catches', async () => {
    await deployRest(
      'rc-error',
      definitions(
        'rc-error',
        `<bpmn:startEvent id="start"/>${serviceTask('reserve', 'rc-error-work')}
         <bpmn:boundaryEvent id="outOfStock" attachedToRef="reserve"><bpmn:errorEventDefinition errorRef="errStock"/></bpmn:boundaryEvent>
         <bpmn:endEvent id="reserved"/><bpmn:endEvent id="backordered"/>
         ${flow('f1', 'start', 'reserve')}${flow('f2', 'reserve', 'reserved')}${flow('f3', 'outOfStock', 'backordered')}`,
        '<bpmn:error id="errStock" name="Out of stock" errorCode="OUT_OF_STOCK"/>',
      ),
    );
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-error' });
    const job = (await activateOne('rc-error-work'))!;
    await api.throwJobError({ jobKey: job.jobKey, errorCode: 'OUT_OF_STOCK', errorMessage: 'none left' });
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
    // searches through the SDK's REST client of the harness (same server; its filters take plain strings)
    const ended = await h.api.searchElementInstances({ filter: { processInstanceKey: created.processInstanceKey, elementId: 'backordered' } }, strongly);
    expect(ended.items).toHaveLength(1);
  });

  // specifications/update-job: a changeset of timeout and retries; 404 for an unknown job
  it('updates a job’s timeout and retries', async () => {
    await deployRest('rc-update', oneTask('rc-update', 'rc-update-work'));
    await api.createProcessInstance({ processDefinitionId: 'rc-update' });
    const job = (await activateOne('rc-update-work', 1_000))!;
    await api.updateJob({ jobKey: job.jobKey, changeset: { timeout: 60_000 } });
    h.clock.advance(2_000);
    expect(await activateOne('rc-update-work')).toBeUndefined();
    await api.updateJob({ jobKey: job.jobKey, changeset: { retries: 7 } });
    h.clock.advance(60_000);
    const again = (await activateOne('rc-update-work'))!;
    expect(again.jobKey).toBe(job.jobKey);
    expect(again.retries).toBe(7);
    await expect(api.updateJob({ jobKey: '2251799813999999', changeset: { retries: 1 } })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
    await expect(api.updateJob({ jobKey: job.jobKey, changeset: {} })).rejects.toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
  });
});

describe('messages and signals', () => {
  beforeAll(async () => {
    await deployRest('rc-msg', waitForMessage('rc-msg'));
  });

  // specifications/publish-message: a message with a TTL is buffered and correlates with a
  // subscription opened after it was published
  it('buffers a published message for its TTL and correlates it later', async () => {
    const published = await api.publishMessage({ name: 'rc-msg-stock-reserved', correlationKey: 'o-10', timeToLive: 60_000, variables: { warehouse: 'north' } });
    expect(published.messageKey).toMatch(/^\d+$/);
    expect(published.tenantId).toBe('<default>');
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-msg', variables: { orderId: 'o-10' } });
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
    const variables = await h.api.searchVariables({ filter: { processInstanceKey: created.processInstanceKey, name: 'warehouse' } }, strongly);
    expect(variables.items.map((v) => v.value)).toEqual(['"north"']);
  });

  // specifications/correlate-message: correlates at once and answers the process instance; with
  // no subscription Camunda rejects it (404 NOT_FOUND), and it is not buffered
  it('correlates a message and answers 404 when nothing waits for it', async () => {
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-msg', variables: { orderId: 'o-11' } });
    const correlated = await api.correlateMessage({ name: 'rc-msg-stock-reserved', correlationKey: 'o-11' });
    expect(correlated.processInstanceKey).toBe(created.processInstanceKey);
    expect(correlated.messageKey).toMatch(/^\d+$/);
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
    await expect(api.correlateMessage({ name: 'rc-msg-stock-reserved', correlationKey: 'o-12' })).rejects.toMatchObject({
      status: 404,
      title: 'NOT_FOUND',
      detail: expect.stringContaining("Expected to find subscription for message with name 'rc-msg-stock-reserved' and correlation key 'o-12'"),
    });
    const later = await api.createProcessInstance({ processDefinitionId: 'rc-msg', variables: { orderId: 'o-12' } });
    expect(await stateOf(later.processInstanceKey)).toBe('ACTIVE');
  });

  // specifications/correlate-message: a message start event counts as a subscription
  it('correlates a message to a message start event', async () => {
    await deployRest(
      'rc-msg-start',
      definitions('rc-msg-start', `<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:startEvent><bpmn:endEvent id="end"/>${flow('f1', 'start', 'end')}`, '<bpmn:message id="m1" name="rc-return-requested"/>'),
    );
    const correlated = await api.correlateMessage({ name: 'rc-return-requested', variables: { rma: 'r-1' } });
    const instance = await api.getProcessInstance({ processInstanceKey: String(correlated.processInstanceKey) }, strongly);
    expect(instance.processDefinitionId).toBe('rc-msg-start');
  });

  // specifications/broadcast-signal: starts an instance of the process with that signal start event
  it('broadcasts a signal that starts a signal-start process', async () => {
    await deployRest(
      'rc-signal',
      definitions('rc-signal', `<bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="s1"/></bpmn:startEvent>${serviceTask('recount', 'rc-signal-work')}${flow('f1', 'start', 'recount')}`, '<bpmn:signal id="s1" name="rc-stock-recount"/>'),
    );
    const broadcast = await api.broadcastSignal({ signalName: 'rc-stock-recount', variables: { site: 'north' } });
    expect(broadcast.signalKey).toMatch(/^\d+$/);
    expect(broadcast.tenantId).toBe('<default>');
    const found = await api.searchProcessInstances({ filter: { processDefinitionId: 'rc-signal' } as never }, strongly);
    expect(found.items).toHaveLength(1);
    expect((await activateOne('rc-signal-work'))!.variables).toEqual({ site: 'north' });
  });
});

describe('variables, definitions and the clock', () => {
  // specifications/create-element-instance-variables: not local, the variables propagate to the
  // outermost scope that has them (here the process instance); local, they stay on the element
  it('sets element-instance variables', async () => {
    await deployRest('rc-vars', oneTask('rc-vars', 'rc-vars-work'));
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-vars', variables: { orderId: 'o-20' } });
    await api.createElementInstanceVariables({ elementInstanceKey: created.processInstanceKey, variables: { priority: 'high' } });
    const job = (await activateOne('rc-vars-work'))!;
    expect(job.variables).toEqual({ orderId: 'o-20', priority: 'high' });
    await api.createElementInstanceVariables({ elementInstanceKey: job.elementInstanceKey, variables: { attempt: 1 }, local: true });
    const scoped = await h.api.searchVariables({ filter: { name: 'attempt' } }, strongly);
    expect(scoped.items).toMatchObject([{ scopeKey: job.elementInstanceKey }]);
    await expect(api.createElementInstanceVariables({ elementInstanceKey: '2251799813999999', variables: { x: 1 } })).rejects.toMatchObject({ status: 404 });
  });

  // specifications/search-process-definitions and get-process-definition-xml
  it('searches process definitions and answers a definition’s XML', async () => {
    const xml = oneTask('rc-defs', 'rc-defs-work');
    await deployRest('rc-defs', xml);
    const second = oneTask('rc-defs', 'rc-defs-work-v2');
    await deployRest('rc-defs', second);
    const all = await api.searchProcessDefinitions({ filter: { processDefinitionId: 'rc-defs' }, sort: [{ field: 'version', order: 'ASC' }] }, strongly);
    expect((all.items ?? []).map((d) => d.version)).toEqual([1, 2]);
    expect(all.page.totalItems).toBe(2);
    expect(all.items?.[0]).toMatchObject({ processDefinitionId: 'rc-defs', resourceName: 'rc-defs.bpmn', tenantId: '<default>', hasStartForm: false });
    const latest = await api.searchProcessDefinitions({ filter: { processDefinitionId: 'rc-defs', isLatestVersion: true } }, strongly);
    expect((latest.items ?? []).map((d) => d.version)).toEqual([2]);
    const fetched = await api.getProcessDefinitionXml({ processDefinitionKey: String(all.items?.[0]?.processDefinitionKey) }, strongly);
    expect(fetched).toBe(xml);
    await expect(api.getProcessDefinitionXml({ processDefinitionKey: '2251799813999999' }, strongly)).rejects.toMatchObject({ status: 404 });
  });

  // specifications/pin-clock and reset-clock: pinning the clock past a timer's due date fires it;
  // a reset returns the clock to the system time
  it('pins the clock to fire a timer and resets it', async () => {
    await deployRest(
      'rc-clock',
      definitions(
        'rc-clock',
        `<bpmn:startEvent id="start"/>
         <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'end')}`,
      ),
    );
    const created = await api.createProcessInstance({ processDefinitionId: 'rc-clock' });
    const pinned = h.clock.now() + 3_600_000;
    await api.pinClock({ timestamp: pinned - 1 });
    expect(await stateOf(created.processInstanceKey)).toBe('ACTIVE');
    await api.pinClock({ timestamp: pinned });
    expect(h.clock.now()).toBe(pinned);
    expect(await stateOf(created.processInstanceKey)).toBe('COMPLETED');
    const before = Date.now();
    await api.resetClock();
    expect(h.clock.now()).toBeGreaterThanOrEqual(before);
    expect(h.clock.now()).toBeLessThanOrEqual(Date.now());
  });
});
