/**
 * Conformance: deleting a deployed resource, over gRPC (`DeleteResource`,
 * docs.camunda.io/docs/8.8/apis-tools/zeebe-api/gateway-service/#deleteresource-rpc) and REST
 * (docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/delete-resource/),
 * with the semantics of docs.camunda.io/docs/8.8/components/concepts/resource-deletion/ and of
 * Zeebe 8.8's `ResourceDeletionDeleteProcessor` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/resource/): an unknown key is
 * rejected NOT_FOUND, and a process definition that still has running instances is rejected
 * INVALID_STATE ("Expected to delete resource with key `k` but there are still running
 * instances"); its instances are not touched.
 */
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, oneTask, serviceTask } from './fixtures';
import { deploy, startHarness, type Harness } from './harness';
import { deployBpmn, orchestrationClient, processInstanceState, strongly } from './rest-client';

let h: Harness;
let api: CamundaClientLoose;

beforeAll(async () => {
  h = await startHarness('le_delete_resource');
  api = orchestrationClient(h);
});
afterAll(async () => {
  await h.close();
});

/** A key no deployment handed out (the engine's keys start at 2^51 + 1). */
const unknownKey = '2251799813685000';

/** Deploys `oneTask` with the given job type over gRPC and answers the new definition's key and version. */
async function deployVersion(processId: string, type: string) {
  const deployment = await deploy(h, processId, oneTask(processId, type));
  const process = deployment.deployments[0]!.process;
  return { key: process.processDefinitionKey, version: process.version };
}

async function activateOne(type: string) {
  const jobs = await h.zeebe.activateJobs({ type, worker: 'delete-test', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: -1 });
  return jobs[0];
}

describe('DeleteResource over gRPC', () => {
  it('given two versions, when the latest is deleted, then start by id runs the previous one and the deleted key is gone', async () => {
    const v1 = await deployVersion('dr-fallback', 'dr-fallback-v1');
    const v2 = await deployVersion('dr-fallback', 'dr-fallback-v2');
    expect(v2.version).toBe(2);

    await h.zeebe.deleteResource({ resourceKey: v2.key });

    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dr-fallback', variables: {} });
    expect(created).toMatchObject({ processDefinitionKey: v1.key, version: 1 });
    await expect(api.createProcessInstance({ processDefinitionKey: v2.key })).rejects.toMatchObject({ status: 404 });
    await expect(api.getProcessDefinition({ processDefinitionKey: v2.key }, strongly)).rejects.toMatchObject({ status: 404 });
  });

  it('given a deleted latest version, when the process is deployed again, then it gets a new version number', async () => {
    await deployVersion('dr-version', 'dr-version-v1');
    const v2 = await deployVersion('dr-version', 'dr-version-v2');
    await h.zeebe.deleteResource({ resourceKey: v2.key });
    // docs/8.8 concepts/resource-deletion: Zeebe never reuses a process version
    const v3 = await deployVersion('dr-version', 'dr-version-v2');
    expect(v3.version).toBe(3);
    expect(v3.key).not.toBe(v2.key);
  });

  it('given the only version, when it is deleted, then start by id answers NOT_FOUND', async () => {
    const only = await deployVersion('dr-only', 'dr-only-work');
    await h.zeebe.deleteResource({ resourceKey: only.key });
    await expect(h.zeebe.createProcessInstance({ bpmnProcessId: 'dr-only', variables: {} })).rejects.toMatchObject({ code: 5 });
  });

  it('given an unknown key, answers NOT_FOUND', async () => {
    await expect(h.zeebe.deleteResource({ resourceKey: unknownKey })).rejects.toMatchObject({
      code: 5,
      details: expect.stringContaining(`Expected to delete resource but no resource found with key \`${unknownKey}\``),
    });
  });

  it('given a running instance of the version, rejects with FAILED_PRECONDITION and leaves version and instance as they were', async () => {
    const v1 = await deployVersion('dr-running', 'dr-running-work');
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dr-running', variables: {} });

    await expect(h.zeebe.deleteResource({ resourceKey: v1.key })).rejects.toMatchObject({
      code: 9,
      details: expect.stringContaining(`Expected to delete resource with key \`${v1.key}\` but there are still running instances`),
    });
    expect(await processInstanceState(api, created.processInstanceKey)).toBe('ACTIVE');
    const again = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dr-running', variables: {} });
    expect(again.processDefinitionKey).toBe(v1.key);

    // once its instances have ended, the version can be deleted; their history stays
    await h.zeebe.cancelProcessInstance(again.processInstanceKey);
    const job = await activateOne('dr-running-work');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    await h.zeebe.deleteResource({ resourceKey: v1.key });
    expect(await api.getProcessInstance({ processInstanceKey: created.processInstanceKey }, strongly)).toMatchObject({ state: 'COMPLETED', processDefinitionVersion: 1 });
  });

  it('given a deleted form, the key is gone and a new deployment of the form gets the next version', async () => {
    const form = (version: string) => Buffer.from(JSON.stringify({ id: 'dr-form', type: 'default', components: [{ key: 'v', type: 'textfield', label: version }] }));
    const deployed = await h.zeebe.deployResource({ form: form('one'), name: 'dr-form.form' });
    const formKey = deployed.deployments[0]!.form!.formKey;
    await h.zeebe.deleteResource({ resourceKey: formKey });
    await expect(h.zeebe.deleteResource({ resourceKey: formKey })).rejects.toMatchObject({ code: 5 });
    const redeployed = await h.zeebe.deployResource({ form: form('one'), name: 'dr-form.form' });
    expect(redeployed.deployments[0]!.form!.version).toBe(2);
  });
});

describe('start events follow the new latest version', () => {
  it('given message start events, when the latest version is deleted, then a message starts the previous version', async () => {
    const messageStarted = (type: string) =>
      definitions(
        'dr-message',
        `<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>${serviceTask('work', type)}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}`,
        message('m', 'dr-message-start', '=orderId'),
      );
    await deploy(h, 'dr-message', messageStarted('dr-message-v1'));
    const v2 = await deploy(h, 'dr-message', messageStarted('dr-message-v2'));
    await h.zeebe.deleteResource({ resourceKey: v2.deployments[0]!.process.processDefinitionKey });

    await h.zeebe.publishMessage({ name: 'dr-message-start', correlationKey: 'o-1', variables: {}, timeToLive: 0 });
    const job = await activateOne('dr-message-v1');
    expect(job?.processDefinitionVersion).toBe(1);
    expect(await activateOne('dr-message-v2')).toBeUndefined();
  });

  it('given timer start events, when the latest version is deleted, then the previous version is scheduled again', async () => {
    const timerStarted = (cycle: string, type: string) =>
      definitions(
        'dr-timer',
        `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>${serviceTask('work', type)}<bpmn:endEvent id="end"/>${flow('f1', 'tick', 'work')}${flow('f2', 'work', 'end')}`,
      );
    await deploy(h, 'dr-timer', timerStarted('R/PT1H', 'dr-timer-v1'));
    const v2 = await deploy(h, 'dr-timer', timerStarted('R/PT2H', 'dr-timer-v2'));
    await h.zeebe.deleteResource({ resourceKey: v2.deployments[0]!.process.processDefinitionKey });

    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 30));
    const job = await activateOne('dr-timer-v1');
    expect(job?.processDefinitionVersion).toBe(1);
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(await activateOne('dr-timer-v2')).toBeUndefined();
    const next = await activateOne('dr-timer-v1');
    await h.zeebe.completeJob({ jobKey: next!.key, variables: {} });
  });
});

describe('deleteResource over REST', () => {
  it('deletes the latest version; the previous becomes the latest for search and start', async () => {
    const v1 = (await deployBpmn(api, 'dr-rest', oneTask('dr-rest', 'dr-rest-v1'))).deployments[0]!.processDefinition!;
    const v2 = (await deployBpmn(api, 'dr-rest', oneTask('dr-rest', 'dr-rest-v2'))).deployments[0]!.processDefinition!;

    await api.deleteResource({ resourceKey: v2.processDefinitionKey });

    const latest = await api.searchProcessDefinitions({ filter: { processDefinitionId: 'dr-rest', isLatestVersion: true } }, strongly);
    expect((latest.items ?? []).map((d) => d.processDefinitionKey)).toEqual([v1.processDefinitionKey]);
    const created = await api.createProcessInstance({ processDefinitionId: 'dr-rest' });
    expect(created).toMatchObject({ processDefinitionKey: v1.processDefinitionKey, processDefinitionVersion: 1 });
  });

  it('answers 404 NOT_FOUND as problem+json for an unknown key', async () => {
    await expect(api.deleteResource({ resourceKey: unknownKey })).rejects.toMatchObject({ status: 404, title: 'NOT_FOUND' });
    const response = await fetch(`${h.engine.restAddress}/v2/resources/${unknownKey}/deletion`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, title: 'NOT_FOUND', detail: `Expected to delete resource but no resource found with key \`${unknownKey}\`` });
  });

  it('answers 409 INVALID_STATE while the version has running instances', async () => {
    const v1 = (await deployBpmn(api, 'dr-rest-running', oneTask('dr-rest-running', 'dr-rest-running-work'))).deployments[0]!.processDefinition!;
    const created = await api.createProcessInstance({ processDefinitionId: 'dr-rest-running' });
    await expect(api.deleteResource({ resourceKey: v1.processDefinitionKey })).rejects.toMatchObject({ status: 409, title: 'INVALID_STATE' });
    expect(await processInstanceState(api, created.processInstanceKey)).toBe('ACTIVE');
  });
});

describe('durability', () => {
  it('keeps a deletion across a restart: the previous version stays the latest and the version number stays used', async () => {
    const v1 = await deployVersion('dr-durable', 'dr-durable-v1');
    const v2 = await deployVersion('dr-durable', 'dr-durable-v2');
    await h.zeebe.deleteResource({ resourceKey: v2.key });

    await h.restart();
    api = orchestrationClient(h);

    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dr-durable', variables: {} });
    expect(created.processDefinitionKey).toBe(v1.key);
    await expect(h.zeebe.deleteResource({ resourceKey: v2.key })).rejects.toMatchObject({ code: 5 });
    const v3 = await deployVersion('dr-durable', 'dr-durable-v2');
    expect(v3.version).toBe(3);
  });
});
