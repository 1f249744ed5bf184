/**
 * Conformance: process instance modification, over gRPC (`ModifyProcessInstance`,
 * docs.camunda.io/docs/8.8/apis-tools/zeebe-api/gateway-service/#modifyprocessinstance-rpc, driven
 * by the unmodified @camunda8/sdk) and REST (`POST /v2/process-instances/{key}/modification`,
 * docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/modify-process-instance/,
 * driven by plain fetch), with the semantics of
 * docs.camunda.io/docs/8.8/components/concepts/process-instance-modification/ and of Zeebe 8.8's
 * `ProcessInstanceModificationModifyProcessor` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/).
 */
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from './fixtures';
import { deploy, startHarness, type Harness } from './harness';
import { orchestrationClient, strongly } from './rest-client';

let h: Harness;
let api: CamundaClientLoose;

beforeAll(async () => {
  h = await startHarness('le_modify_instance');
  api = orchestrationClient(h);
});
afterAll(async () => {
  await h.close();
});

/** A key no process instance has (the engine's keys start at 2^51 + 1). */
const unknownKey = '2251799813685000';

/** start -> A -> B -> end; job types `<processId>-a` and `<processId>-b`. */
function twoTasks(processId: string) {
  return definitions(
    processId,
    `<bpmn:startEvent id="start"/>${serviceTask('A', `${processId}-a`)}${serviceTask('B', `${processId}-b`)}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'A')}${flow('f2', 'A', 'B')}${flow('f3', 'B', 'end')}`,
  );
}

/** start -> A -> sub(subStart -> X -> Y -> subEnd) -> end. */
function withSubprocess(processId: string) {
  return definitions(
    processId,
    `<bpmn:startEvent id="start"/>${serviceTask('A', `${processId}-a`)}
     <bpmn:subProcess id="sub"><bpmn:startEvent id="subStart"/>${serviceTask('X', `${processId}-x`)}${serviceTask('Y', `${processId}-y`)}<bpmn:endEvent id="subEnd"/>
       ${flow('s1', 'subStart', 'X')}${flow('s2', 'X', 'Y')}${flow('s3', 'Y', 'subEnd')}</bpmn:subProcess>
     <bpmn:endEvent id="end"/>${flow('f1', 'start', 'A')}${flow('f2', 'A', 'sub')}${flow('f3', 'sub', 'end')}`,
  );
}

async function started(processId: string, xml: string, variables: Record<string, string> = {}) {
  await deploy(h, processId, xml);
  return (await h.zeebe.createProcessInstance({ bpmnProcessId: processId, variables })).processInstanceKey;
}

type ElementInstance = { elementInstanceKey: string; elementId: string; state: string; flowScopeKey?: string };

async function elementInstances(processInstanceKey: string): Promise<ElementInstance[]> {
  const result = await h.api.searchElementInstances({ filter: { processInstanceKey } }, strongly);
  return result.items as unknown as ElementInstance[];
}

async function keyOf(processInstanceKey: string, elementId: string, state = 'ACTIVE') {
  const found = (await elementInstances(processInstanceKey)).find((e) => e.elementId === elementId && e.state === state);
  if (!found) throw new Error(`no ${state} instance of ${elementId}`);
  return found.elementInstanceKey;
}

async function activeElements(processInstanceKey: string) {
  return (await elementInstances(processInstanceKey))
    .filter((e) => e.state === 'ACTIVE')
    .map((e) => e.elementId)
    .sort();
}

async function instanceState(processInstanceKey: string) {
  return (await api.getProcessInstance({ processInstanceKey }, strongly)).state;
}

async function activateOne(type: string) {
  const jobs = await h.zeebe.activateJobs({ type, worker: 'modify-test', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: -1 });
  return jobs[0];
}

function restModify(processInstanceKey: string, body: unknown) {
  return fetch(`${h.engine.restAddress}/v2/process-instances/${processInstanceKey}/modification`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('ModifyProcessInstance over gRPC', () => {
  it('given a token stuck on A, when B is activated with a global variable and A terminated, then B runs with it and the instance completes', async () => {
    // docs/8.8 concepts/process-instance-modification: "move the token" = terminate + activate;
    // the request as the SDK's own integration test sends it (ancestor '-1', empty scopeId)
    const processInstanceKey = await started('mod-move', twoTasks('mod-move'));
    const a = await keyOf(processInstanceKey, 'A');

    await h.zeebe.modifyProcessInstance({
      processInstanceKey,
      activateInstructions: [{ elementId: 'B', ancestorElementInstanceKey: '-1', variableInstructions: [{ scopeId: '', variables: { second: 1 } }] }],
      terminateInstructions: [{ elementInstanceKey: a }],
    });

    expect(await keyOf(processInstanceKey, 'A', 'TERMINATED')).toBe(a);
    expect(await activateOne('mod-move-a')).toBeUndefined();
    const job = await activateOne('mod-move-b');
    expect(job?.variables).toEqual({ second: 1 });
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await instanceState(processInstanceKey)).toBe('COMPLETED');
  });

  it('given no subprocess instance, when an element inside it is activated, then the subprocess is created (without its start event) and the variables land in their scopes', async () => {
    // docs/8.8 concepts/process-instance-modification #activate-an-element: missing flow scopes
    // are created; #variables: a variable instruction names the scope by element id
    const processInstanceKey = await started('mod-sub', withSubprocess('mod-sub'));
    await h.zeebe.modifyProcessInstance({
      processInstanceKey,
      activateInstructions: [
        {
          elementId: 'Y',
          ancestorElementInstanceKey: '-1',
          variableInstructions: [
            { scopeId: 'sub', variables: { inSub: 'yes' } },
            { scopeId: 'Y', variables: { onY: 'yes' } },
          ],
        },
      ],
    });
    expect(await activeElements(processInstanceKey)).toEqual(['A', 'Y', 'sub']);
    expect((await elementInstances(processInstanceKey)).some((e) => e.elementId === 'subStart')).toBe(false);
    const sub = await keyOf(processInstanceKey, 'sub');
    const y = await keyOf(processInstanceKey, 'Y');
    const variables = (await h.api.searchVariables({ filter: { processInstanceKey } }, strongly)).items as unknown as Array<{ name: string; value: string; scopeKey: string }>;
    expect(variables.map((v) => [v.name, v.value, v.scopeKey]).sort()).toEqual([
      ['inSub', '"yes"', sub],
      ['onY', '"yes"', y],
    ]);
    const job = await activateOne('mod-sub-y');
    expect(job?.variables).toEqual({ inSub: 'yes', onY: 'yes' });
  });

  it('given the last active element instance, when it is terminated, then the process instance is terminated', async () => {
    // docs/8.8 concepts/process-instance-modification #terminate-an-element-instance: with no
    // active element instance left, the flow scopes up to the process instance are terminated
    const processInstanceKey = await started('mod-last', twoTasks('mod-last'));
    await h.zeebe.modifyProcessInstance({ processInstanceKey, terminateInstructions: [{ elementInstanceKey: await keyOf(processInstanceKey, 'A') }] });
    expect(await instanceState(processInstanceKey)).toBe('TERMINATED');
    expect(await activateOne('mod-last-a')).toBeUndefined();
  });

  it('given one invalid instruction among valid ones, rejects the whole command with INVALID_ARGUMENT and changes nothing', async () => {
    // ProcessInstanceModificationModifyProcessor.validateCommand: every instruction is checked first
    const processInstanceKey = await started('mod-invalid', twoTasks('mod-invalid'));
    const a = await keyOf(processInstanceKey, 'A');
    await expect(
      h.zeebe.modifyProcessInstance({
        processInstanceKey,
        activateInstructions: [
          { elementId: 'B', ancestorElementInstanceKey: '-1', variableInstructions: [] },
          { elementId: 'nowhere', ancestorElementInstanceKey: '-1', variableInstructions: [] },
        ],
        terminateInstructions: [{ elementInstanceKey: a }],
      }),
    ).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining("Expected to modify instance of process 'mod-invalid' but it contains one or more activate instructions with an element that could not be found: 'nowhere'"),
    });
    await expect(
      h.zeebe.modifyProcessInstance({ processInstanceKey, activateInstructions: [{ elementId: 'start', ancestorElementInstanceKey: '-1', variableInstructions: [] }] }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringContaining("The activation of elements with type 'START_EVENT' is not supported") });
    expect(await activeElements(processInstanceKey)).toEqual(['A']);
    expect((await elementInstances(processInstanceKey)).map((e) => e.elementId)).not.toContain('B');
  });

  it('given an unknown process instance, answers NOT_FOUND', async () => {
    await expect(h.zeebe.modifyProcessInstance({ processInstanceKey: unknownKey, activateInstructions: [{ elementId: 'B', ancestorElementInstanceKey: '-1', variableInstructions: [] }] })).rejects.toMatchObject({
      code: 5,
      details: expect.stringContaining(`Expected to modify process instance but no process instance found with key '${unknownKey}'`),
    });
  });
});

describe('POST /v2/process-instances/{key}/modification', () => {
  it('given a stuck token, moves it and answers 204', async () => {
    const processInstanceKey = await started('mod-rest', twoTasks('mod-rest'));
    const a = await keyOf(processInstanceKey, 'A');
    const response = await restModify(processInstanceKey, {
      activateInstructions: [{ elementId: 'B', ancestorElementInstanceKey: '-1', variableInstructions: [{ variables: { viaRest: true } }] }],
      terminateInstructions: [{ elementInstanceKey: a }],
    });
    expect(response.status).toBe(204);
    expect(await activeElements(processInstanceKey)).toEqual(['B']);
    expect((await activateOne('mod-rest-b'))?.variables).toEqual({ viaRest: true });
  });

  it('given an unknown process instance, answers 404 problem+json', async () => {
    const response = await restModify(unknownKey, { activateInstructions: [{ elementId: 'B' }] });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, title: 'NOT_FOUND', detail: `Expected to modify process instance but no process instance found with key '${unknownKey}'` });
  });

  it('given an instruction the engine rejects, answers 400 problem+json and changes nothing', async () => {
    const processInstanceKey = await started('mod-rest-bad', twoTasks('mod-rest-bad'));
    const response = await restModify(processInstanceKey, { activateInstructions: [{ elementId: 'B' }], terminateInstructions: [{ elementInstanceKey: '2251799813685001' }] });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT', detail: expect.stringContaining("terminate instructions with an element instance that could not be found: '2251799813685001'") });
    expect(await activeElements(processInstanceKey)).toEqual(['A']);
    const malformed = await restModify(processInstanceKey, { activateInstructions: [{ elementId: 'B', ancestorElementInstanceKey: 'x' }] });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ title: 'INVALID_ARGUMENT', detail: "The value for ancestorElementInstanceKey is 'x' but must be -1 or a positive key." });
  });
});

describe('durability', () => {
  it('given a modification that created a subprocess, after a restart the new instances, their job and variables are still there', async () => {
    const processInstanceKey = await started('mod-restart', withSubprocess('mod-restart'));
    const a = await keyOf(processInstanceKey, 'A');
    await h.zeebe.modifyProcessInstance({
      processInstanceKey,
      activateInstructions: [{ elementId: 'X', ancestorElementInstanceKey: '-1', variableInstructions: [{ scopeId: 'sub', variables: { kept: 'yes' } }] }],
      terminateInstructions: [{ elementInstanceKey: a }],
    });

    await h.restart();
    api = orchestrationClient(h);

    expect(await activeElements(processInstanceKey)).toEqual(['X', 'sub']);
    const x = await activateOne('mod-restart-x');
    expect(x?.variables).toEqual({ kept: 'yes' });
    await h.zeebe.completeJob({ jobKey: x!.key, variables: {} });
    const y = await activateOne('mod-restart-y');
    await h.zeebe.completeJob({ jobKey: y!.key, variables: {} });
    expect(await instanceState(processInstanceKey)).toBe('COMPLETED');
  });
});
