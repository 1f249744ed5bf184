/**
 * Conformance: process instance migration, over gRPC (`MigrateProcessInstance`,
 * docs.camunda.io/docs/8.8/apis-tools/zeebe-api/gateway-service/#migrateprocessinstance-rpc) and
 * REST (`POST /v2/process-instances/{key}/migration`,
 * docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/migrate-process-instance/),
 * with the semantics of docs.camunda.io/docs/8.8/components/concepts/process-instance-migration/
 * and of Zeebe 8.8's `ProcessInstanceMigrationMigrateProcessor` and
 * `ProcessInstanceMigrationPreconditions` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/).
 */
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, serviceTask } from './fixtures';
import { deploy, startHarness, type Harness } from './harness';
import { orchestrationClient, strongly } from './rest-client';

let h: Harness;
let api: CamundaClientLoose;

beforeAll(async () => {
  h = await startHarness('le_migrate_instance');
  api = orchestrationClient(h);
});
afterAll(async () => {
  await h.close();
});

/** A key no deployment handed out (the engine's keys start at 2^51 + 1). */
const unknownKey = '2251799813685000';

/** start -> service task `taskId` (job type `type`) -> [service task `after` (job type `afterType`)] -> end. */
function tasks(processId: string, taskId: string, type: string, afterType?: string, taskOptions: Parameters<typeof serviceTask>[2] = {}, extra = '') {
  const tail = afterType ? `${serviceTask('after', afterType)}${flow('f2', taskId, 'after')}${flow('f3', 'after', 'end')}` : flow('f2', taskId, 'end');
  return definitions(processId, `<bpmn:startEvent id="start"/>${serviceTask(taskId, type, taskOptions)}<bpmn:endEvent id="end"/>${flow('f1', 'start', taskId)}${tail}${extra}`);
}

async function deployed(processId: string, xml: string) {
  const process = (await deploy(h, processId, xml)).deployments[0]!.process;
  return { key: process.processDefinitionKey, version: process.version, bpmnProcessId: process.bpmnProcessId };
}

/** Starts an instance of exactly that version (the SDK's gRPC client starts by id and version). */
function start(definition: { bpmnProcessId: string; version: number }, variables: Record<string, string | boolean>) {
  return h.zeebe.createProcessInstance({ bpmnProcessId: definition.bpmnProcessId, version: definition.version, variables });
}

async function activateOne(type: string) {
  const jobs = await h.zeebe.activateJobs({ type, worker: 'migration-test', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: -1 });
  return jobs[0];
}

function migrate(processInstanceKey: string, targetProcessDefinitionKey: string, mappings: Array<[string, string]>) {
  return h.zeebe.migrateProcessInstance({
    processInstanceKey,
    migrationPlan: { targetProcessDefinitionKey, mappingInstructions: mappings.map(([sourceElementId, targetElementId]) => ({ sourceElementId, targetElementId })) },
  });
}

function restMigrate(processInstanceKey: string, body: unknown) {
  return fetch(`${h.engine.restAddress}/v2/process-instances/${processInstanceKey}/migration`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function instance(processInstanceKey: string) {
  return api.getProcessInstance({ processInstanceKey }, strongly);
}

describe('MigrateProcessInstance over gRPC', () => {
  it('given a waiting service task, when migrated to v2, then element and job keep their keys, the job its type, and completing it follows v2', async () => {
    // docs/8.8 concepts/process-instance-migration #changing-the-process-instance-flow-for-inactive-parts
    // and #jobs-expressions-and-input-mappings: the job keeps all its properties, the job type included
    const v1 = await deployed('mig-basic', tasks('mig-basic', 'A', 'mig-basic-a'));
    const v2 = await deployed('mig-basic', tasks('mig-basic', 'C', 'mig-basic-c', 'mig-basic-after'));
    const created = await start(v1, { orderId: 'o-1' });
    const before = await activateOne('mig-basic-a');
    const [task] = (await h.api.searchElementInstances({ filter: { processInstanceKey: created.processInstanceKey, elementId: 'A' } }, strongly)).items as unknown as Array<{ elementInstanceKey: string }>;

    await migrate(created.processInstanceKey, v2.key, [['A', 'C']]);

    expect(await instance(created.processInstanceKey)).toMatchObject({ processDefinitionKey: v2.key, processDefinitionVersion: 2, state: 'ACTIVE' });
    const migrated = await api.getElementInstance({ elementInstanceKey: task!.elementInstanceKey }, strongly);
    expect(migrated).toMatchObject({ elementId: 'C', processDefinitionKey: v2.key, state: 'ACTIVE' });
    // the activated job is still the same job: its worker completes it under the same key
    await h.zeebe.completeJob({ jobKey: before!.key, variables: { done: true } });
    const next = await activateOne('mig-basic-after');
    expect(next).toMatchObject({ processInstanceKey: created.processInstanceKey, processDefinitionKey: v2.key, processDefinitionVersion: 2, elementId: 'after' });
    expect(next!.variables).toMatchObject({ orderId: 'o-1', done: true });
    await h.zeebe.completeJob({ jobKey: next!.key, variables: {} });
    expect((await instance(created.processInstanceKey)).state).toBe('COMPLETED');
  });

  it('given an activatable job, the migrated job is handed out with its old type under the target definition', async () => {
    const v1 = await deployed('mig-job', tasks('mig-job', 'task', 'mig-job-v1'));
    const v2 = await deployed('mig-job', tasks('mig-job', 'task', 'mig-job-v2', 'mig-job-after'));
    const created = await start(v1, {});

    await migrate(created.processInstanceKey, v2.key, [['task', 'task']]);

    expect(await activateOne('mig-job-v2')).toBeUndefined();
    const job = await activateOne('mig-job-v1');
    expect(job).toMatchObject({ type: 'mig-job-v1', processDefinitionKey: v2.key, processDefinitionVersion: 2, bpmnProcessId: 'mig-job', elementId: 'task' });
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await activateOne('mig-job-after')).toBeDefined();
  });

  it('migrates to another process definition altogether (#process-definitions-and-versions)', async () => {
    const v1 = await deployed('mig-from', tasks('mig-from', 'task', 'mig-from-work'));
    const other = await deployed('mig-to', tasks('mig-to', 'work', 'mig-to-work', 'mig-to-after'));
    const created = await start(v1, {});

    await migrate(created.processInstanceKey, other.key, [['task', 'work']]);

    expect(await instance(created.processInstanceKey)).toMatchObject({ processDefinitionId: 'mig-to', processDefinitionKey: other.key, processDefinitionVersion: 1 });
    const job = await activateOne('mig-from-work');
    expect(job).toMatchObject({ bpmnProcessId: 'mig-to', elementId: 'work' });
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await activateOne('mig-to-after')).toBeDefined();
  });

  it('given a Camunda user task, keeps the user task (key, assignee) and completing it follows v2', async () => {
    // docs/8.8: "a migrated active user task remains assigned to the same user"
    const userTasks = (after: string) =>
      definitions(
        'mig-user',
        `<bpmn:startEvent id="start"/><bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask>${after ? serviceTask('after', after) : ''}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'review')}${after ? `${flow('f2', 'review', 'after')}${flow('f3', 'after', 'end')}` : flow('f2', 'review', 'end')}`,
      );
    const v1 = await deployed('mig-user', userTasks(''));
    const v2 = await deployed('mig-user', userTasks('mig-user-after'));
    const created = await start(v1, {});
    const [task] = (await h.api.searchUserTasks({ filter: { processInstanceKey: created.processInstanceKey } }, strongly)).items;
    await api.assignUserTask({ userTaskKey: task!.userTaskKey, assignee: 'anna' });

    await migrate(created.processInstanceKey, v2.key, [['review', 'review']]);

    expect(await api.getUserTask({ userTaskKey: task!.userTaskKey }, strongly)).toMatchObject({ assignee: 'anna', state: 'CREATED', processDefinitionKey: v2.key, processDefinitionVersion: 2 });
    await api.completeUserTask({ userTaskKey: task!.userTaskKey, variables: {} });
    expect(await activateOne('mig-user-after')).toMatchObject({ processInstanceKey: created.processInstanceKey });
  });

  it('given a waiting message catch event, keeps its subscription when mapped (#migrate-catch-events)', async () => {
    const catching = (name: string, after: string) =>
      definitions(
        'mig-msg',
        `<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>${serviceTask('after', after)}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'after')}${flow('f3', 'after', 'end')}`,
        message('m', name, '=orderId'),
      );
    const v1 = await deployed('mig-msg', catching('mig-msg-v1', 'mig-msg-after-v1'));
    const v2 = await deployed('mig-msg', catching('mig-msg-v2', 'mig-msg-after-v2'));
    const created = await start(v1, { orderId: 'o-7' });

    await migrate(created.processInstanceKey, v2.key, [['wait', 'wait']]);

    // the subscription is migrated, not re-created: it still waits for the v1 message name
    await h.zeebe.publishMessage({ name: 'mig-msg-v1', correlationKey: 'o-7', variables: { paid: true }, timeToLive: 0 });
    const job = await activateOne('mig-msg-after-v2');
    expect(job).toMatchObject({ processInstanceKey: created.processInstanceKey });
    expect(job!.variables).toMatchObject({ paid: true });
  });

  it('given a target with a new timer boundary event, opens the timer (#add-or-remove-catch-events)', async () => {
    const boundary = `<bpmn:boundaryEvent id="late" attachedToRef="task"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>${serviceTask('escalate', 'mig-timer-escalate')}<bpmn:endEvent id="escalated"/>${flow('f8', 'late', 'escalate')}${flow('f9', 'escalate', 'escalated')}`;
    const v1 = await deployed('mig-timer', tasks('mig-timer', 'task', 'mig-timer-work'));
    const v2 = await deployed('mig-timer', tasks('mig-timer', 'task', 'mig-timer-work', undefined, {}, boundary));
    const created = await start(v1, {});

    await migrate(created.processInstanceKey, v2.key, [['task', 'task']]);
    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 30));

    expect(await activateOne('mig-timer-escalate')).toMatchObject({ processInstanceKey: created.processInstanceKey, elementId: 'escalate' });
    expect(await activateOne('mig-timer-work')).toBeUndefined();
  });

  it('given an unmapped active element, rejects with FAILED_PRECONDITION and changes nothing', async () => {
    // docs/8.8 #limitations: "All active elements require a mapping."
    const v1 = await deployed('mig-unmapped', tasks('mig-unmapped', 'task', 'mig-unmapped-work'));
    const v2 = await deployed('mig-unmapped', tasks('mig-unmapped', 'task', 'mig-unmapped-work-2'));
    const created = await start(v1, {});

    await expect(migrate(created.processInstanceKey, v2.key, [['start', 'start']])).rejects.toMatchObject({
      code: 9,
      details: expect.stringContaining(
        `Expected to migrate process instance '${created.processInstanceKey}' but no mapping instruction defined for active element with id 'task'. Elements cannot be migrated without a mapping.`,
      ),
    });
    expect(await instance(created.processInstanceKey)).toMatchObject({ processDefinitionKey: v1.key, processDefinitionVersion: 1 });
    expect(await activateOne('mig-unmapped-work')).toMatchObject({ processDefinitionKey: v1.key, processDefinitionVersion: 1 });
  });

  it('given a mapping to an element of another type, rejects with FAILED_PRECONDITION and changes nothing', async () => {
    const v1 = await deployed('mig-type', tasks('mig-type', 'task', 'mig-type-work'));
    const v2 = await deployed(
      'mig-type',
      definitions('mig-type', `<bpmn:startEvent id="start"/><bpmn:userTask id="task"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="end"/>${flow('f1', 'start', 'task')}${flow('f2', 'task', 'end')}`),
    );
    const created = await start(v1, {});

    await expect(migrate(created.processInstanceKey, v2.key, [['task', 'task']])).rejects.toMatchObject({
      code: 9,
      details: expect.stringContaining(
        `active element with id 'task' and type 'SERVICE_TASK' is mapped to an element with id 'task' and different type 'USER_TASK'. Elements must be mapped to elements of the same type.`,
      ),
    });
    expect((await instance(created.processInstanceKey)).processDefinitionKey).toBe(v1.key);
  });

  it('given an element moved into a subprocess, rejects the flow scope change', async () => {
    const v1 = await deployed('mig-scope', tasks('mig-scope', 'task', 'mig-scope-work'));
    const v2 = await deployed(
      'mig-scope',
      definitions(
        'mig-scope',
        `<bpmn:startEvent id="start"/><bpmn:subProcess id="sub"><bpmn:startEvent id="subStart"/>${serviceTask('task', 'mig-scope-work')}<bpmn:endEvent id="subEnd"/>${flow('s1', 'subStart', 'task')}${flow('s2', 'task', 'subEnd')}</bpmn:subProcess><bpmn:endEvent id="end"/>${flow('f1', 'start', 'sub')}${flow('f2', 'sub', 'end')}`,
      ),
    );
    const created = await start(v1, {});

    await expect(migrate(created.processInstanceKey, v2.key, [['task', 'task']])).rejects.toMatchObject({
      code: 9,
      details: expect.stringContaining(`The flow scope of the active element is expected to be 'mig-scope' but was 'sub'.`),
    });
  });

  it('rejects an unknown target NOT_FOUND, an unknown instance NOT_FOUND, unknown and duplicate element ids INVALID_ARGUMENT', async () => {
    const v1 = await deployed('mig-args', tasks('mig-args', 'task', 'mig-args-work'));
    const v2 = await deployed('mig-args', tasks('mig-args', 'task', 'mig-args-work'));
    const created = await start(v1, {});

    await expect(migrate(created.processInstanceKey, unknownKey, [['task', 'task']])).rejects.toMatchObject({
      code: 5,
      details: expect.stringContaining(`Expected to migrate process instance to process definition but no process definition found with key '${unknownKey}'`),
    });
    await expect(migrate(unknownKey, v2.key, [['task', 'task']])).rejects.toMatchObject({
      code: 5,
      details: expect.stringContaining(`Expected to migrate process instance but no process instance found with key '${unknownKey}'`),
    });
    await expect(migrate(created.processInstanceKey, v2.key, [['nope', 'task']])).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining(`mapping instructions contain a non-existing source element id 'nope'`),
    });
    await expect(migrate(created.processInstanceKey, v2.key, [['task', 'nope']])).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining(`mapping instructions contain a non-existing target element id 'nope'`),
    });
    await expect(
      migrate(created.processInstanceKey, v2.key, [
        ['task', 'task'],
        ['task', 'end'],
      ]),
    ).rejects.toMatchObject({ code: 3, details: expect.stringContaining(`the mapping instructions contain duplicate source element ids '[task]'`) });
  });
});

describe('POST /v2/process-instances/{key}/migration', () => {
  it('answers 204 and the instance runs on the target definition', async () => {
    const v1 = await deployed('mig-rest', tasks('mig-rest', 'task', 'mig-rest-work'));
    const v2 = await deployed('mig-rest', tasks('mig-rest', 'task', 'mig-rest-work', 'mig-rest-after'));
    const created = await start(v1, {});

    const response = await restMigrate(created.processInstanceKey, { targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] });

    expect(response.status).toBe(204);
    expect(await instance(created.processInstanceKey)).toMatchObject({ processDefinitionKey: v2.key, processDefinitionVersion: 2 });
    const job = await activateOne('mig-rest-work');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await activateOne('mig-rest-after')).toBeDefined();
  });

  it('answers problem+json: 404 for an unknown target, 409 for an unmapped element, 400 without a target key', async () => {
    const v1 = await deployed('mig-rest-errors', tasks('mig-rest-errors', 'task', 'mig-rest-errors-work'));
    const v2 = await deployed('mig-rest-errors', tasks('mig-rest-errors', 'task', 'mig-rest-errors-work'));
    const created = await start(v1, {});

    const notFound = await restMigrate(created.processInstanceKey, { targetProcessDefinitionKey: unknownKey, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('application/problem+json');
    expect(await notFound.json()).toMatchObject({ status: 404, title: 'NOT_FOUND' });

    const unmapped = await restMigrate(created.processInstanceKey, { targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'start', targetElementId: 'start' }] });
    expect(unmapped.status).toBe(409);
    expect(await unmapped.json()).toMatchObject({ status: 409, title: 'INVALID_STATE', detail: expect.stringContaining("no mapping instruction defined for active element with id 'task'") });

    const noTarget = await restMigrate(created.processInstanceKey, { mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] });
    expect(noTarget.status).toBe(400);
    expect(await noTarget.json()).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT', detail: 'No targetProcessDefinitionKey provided.' });

    expect((await instance(created.processInstanceKey)).processDefinitionVersion).toBe(1);
  });
});

describe('durability', () => {
  it('keeps a migration across a restart', async () => {
    const v1 = await deployed('mig-durable', tasks('mig-durable', 'task', 'mig-durable-work'));
    const v2 = await deployed('mig-durable', tasks('mig-durable', 'task2', 'mig-durable-work-2', 'mig-durable-after'));
    const created = await start(v1, {});
    await migrate(created.processInstanceKey, v2.key, [['task', 'task2']]);

    await h.restart();
    api = orchestrationClient(h);

    expect(await instance(created.processInstanceKey)).toMatchObject({ processDefinitionKey: v2.key, processDefinitionVersion: 2 });
    const job = await activateOne('mig-durable-work');
    expect(job).toMatchObject({ processDefinitionKey: v2.key, elementId: 'task2' });
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await activateOne('mig-durable-after')).toMatchObject({ processInstanceKey: created.processInstanceKey });
  });
});
