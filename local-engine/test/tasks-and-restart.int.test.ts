/**
 * Conformance: deployment (versions, rejection of unsupported elements), Camunda user tasks with
 * linked forms through the REST API, job streaming, create-with-result, call activities, and
 * durability across a restart — driven only through the @camunda8/sdk clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, oneTask, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_tasks');
});
afterAll(async () => {
  await h.close();
});

async function state(key: string) {
  return (await h.api.getProcessInstance({ processInstanceKey: key }, now)).state;
}

async function activate(type: string) {
  return h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: -1 });
}

describe('deployment', () => {
  // docs.camunda.io/docs/components/concepts/resource-deployments/: a changed resource gets the
  // next version of its process id; an unchanged one keeps its version and key
  it('versions per process id and keeps identical redeployments', async () => {
    const v1 = await deploy(h, 'dep', oneTask('dep', 'dep-a'));
    const same = await deploy(h, 'dep', oneTask('dep', 'dep-a'));
    const v2 = await deploy(h, 'dep', oneTask('dep', 'dep-b'));
    expect(v1.deployments[0]!.process.version).toBe(1);
    expect(same.deployments[0]!.process.processDefinitionKey).toBe(v1.deployments[0]!.process.processDefinitionKey);
    expect(v2.deployments[0]!.process.version).toBe(2);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dep', variables: {} });
    expect(created.version).toBe(2);
    const pinned = await h.zeebe.createProcessInstance({ bpmnProcessId: 'dep', version: 1, variables: {} });
    expect(pinned.processDefinitionKey).toBe(v1.deployments[0]!.process.processDefinitionKey);
  });

  // docs.camunda.io/docs/components/modeler/bpmn/bpmn-coverage/: an element the engine cannot
  // execute is rejected at deployment with a message naming it (INVALID_ARGUMENT)
  it('rejects an unsupported element naming its id', async () => {
    const xml = definitions(
      'unsupported',
      `<bpmn:startEvent id="start"/><bpmn:complexGateway id="orGate"/><bpmn:endEvent id="end"/>${flow('f1', 'start', 'orGate')}${flow('f2', 'orGate', 'end')}`,
    );
    await expect(deploy(h, 'unsupported', xml)).rejects.toMatchObject({ code: 3, details: expect.stringContaining("'orGate'") });
    await expect(h.zeebe.createProcessInstance({ bpmnProcessId: 'unsupported', variables: {} })).rejects.toMatchObject({ code: 5 });
  });
});

describe('user tasks', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/user-tasks/ (Camunda user task, linked form)
  // and docs.camunda.io/docs/apis-tools/camunda-api-rest/ (search, assign, form, complete)
  it('creates a Camunda user task with its linked form and completes it through REST', async () => {
    const form = { id: 'approve-order', type: 'default', components: [{ key: 'approved', type: 'checkbox', label: 'Approved' }], schemaVersion: 16 };
    await h.zeebe.deployResource({ form: Buffer.from(JSON.stringify(form)), name: 'approve-order.form' });
    await deploy(
      h,
      'ut',
      definitions(
        'ut',
        `<bpmn:startEvent id="start"/>
         <bpmn:userTask id="approve" name="Approve order"><bpmn:extensionElements><zeebe:userTask/><zeebe:formDefinition formId="approve-order"/><zeebe:assignmentDefinition candidateGroups="ops"/></bpmn:extensionElements></bpmn:userTask>
         <bpmn:exclusiveGateway id="route" default="toRejected"/><bpmn:endEvent id="approved"/><bpmn:endEvent id="rejected"/>
         ${flow('f1', 'start', 'approve')}${flow('f2', 'approve', 'route')}${flow('toApproved', 'route', 'approved', '=approved')}${flow('toRejected', 'route', 'rejected')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ut', variables: { orderId: 'u-1' } });
    const tasks = await h.api.searchUserTasks({ filter: { processInstanceKey: created.processInstanceKey, state: 'CREATED' } }, now);
    expect(tasks.items).toHaveLength(1);
    const task = tasks.items[0]!;
    expect(task.name).toBe('Approve order');
    expect(task.candidateGroups).toEqual(['ops']);
    const linked = await h.api.getUserTaskForm({ userTaskKey: task.userTaskKey }, now);
    expect(JSON.parse(linked!.schema)).toMatchObject({ id: 'approve-order' });
    await h.api.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'tech-1' });
    expect((await h.api.getUserTask({ userTaskKey: task.userTaskKey }, now)).assignee).toBe('tech-1');
    await h.api.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    const ends = await h.api.searchElementInstances({ filter: { processInstanceKey: created.processInstanceKey, elementId: 'approved' } }, now);
    expect(ends.items.map((e) => e.state)).toEqual(['COMPLETED']);
    expect((await h.api.getUserTask({ userTaskKey: task.userTaskKey }, now)).state).toBe('COMPLETED');
  });
});

describe('workers and results', () => {
  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/#streamactivatedjobs-rpc: jobs are
  // pushed to an open stream as they are created
  it('pushes jobs to a StreamActivatedJobs worker', async () => {
    await deploy(h, 'stream', oneTask('stream', 'stream-work'));
    const seen: string[] = [];
    const stream = await h.zeebe.streamJobs({
      type: 'stream-work',
      worker: 'streamer',
      tenantIds: [], // empty = the default tenant, as clients without multi-tenancy send it
      timeout: 30_000,
      taskHandler: async (job) => {
        const acknowledged = await job.complete({ handled: true });
        seen.push(String(job.variables.n));
        return acknowledged;
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    const created = await Promise.all([1, 2, 3].map((n) => h.zeebe.createProcessInstance({ bpmnProcessId: 'stream', variables: { n } })));
    for (let i = 0; i < 50 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    stream.close();
    expect(seen.sort()).toEqual(['1', '2', '3']);
    for (const c of created) expect(await state(c.processInstanceKey)).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/#createprocessinstancewithresult-rpc
  it('answers CreateProcessInstanceWithResult when the instance completes', async () => {
    await deploy(h, 'with-result', oneTask('with-result', 'result-work'));
    const pending = h.zeebe.createProcessInstanceWithResult({ bpmnProcessId: 'with-result', variables: { x: 1 }, requestTimeout: 5000 });
    let job;
    for (let i = 0; i < 50 && !job; i++) {
      [job] = await activate('result-work');
      if (!job) await new Promise((r) => setTimeout(r, 10));
    }
    await h.zeebe.completeJob({ jobKey: job!.key, variables: { y: 2 } });
    const result = await pending;
    expect(result.variables).toEqual({ x: 1, y: 2 });
  });

  // docs.camunda.io/docs/components/modeler/bpmn/call-activities/: the child instance gets the
  // parent's variables and its variables flow back when it completes
  it('runs a called process and propagates its variables back', async () => {
    await deploy(h, 'child', oneTask('child', 'child-work'));
    await deploy(
      h,
      'parent',
      definitions(
        'parent',
        `<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" propagateAllChildVariables="true"/></bpmn:extensionElements></bpmn:callActivity><bpmn:endEvent id="e"/>${flow('f1', 's', 'call')}${flow('f2', 'call', 'e')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'parent', variables: { orderId: 'c-1' } });
    const [job] = await activate('child-work');
    expect(job!.variables).toMatchObject({ orderId: 'c-1' });
    expect(job!.processInstanceKey).not.toBe(created.processInstanceKey);
    await h.zeebe.completeJob({ jobKey: job!.key, variables: { shipped: true } });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    const vars = await h.api.searchVariables({ filter: { processInstanceKey: created.processInstanceKey, name: 'shipped' } }, now);
    expect(vars.items.map((v) => v.value)).toEqual(['true']);
  });
});

describe('durability', () => {
  // docs/architecture.md §4 (durable state); Zeebe semantics from docs.camunda.io/docs/components/concepts/
  // job-workers/, .../messages/#message-buffering and .../modeler/bpmn/timer-events/: after a
  // restart, outstanding jobs, armed timers and buffered messages carry on
  it('continues every instance after a restart: jobs, timers and buffered messages', async () => {
    await deploy(h, 'durable-job', oneTask('durable-job', 'durable-work'));
    await deploy(
      h,
      'durable-timer',
      definitions(
        'durable-timer',
        `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${flow('f1', 's', 't')}${flow('f2', 't', 'e')}`,
      ),
    );
    await deploy(
      h,
      'durable-msg',
      definitions(
        'durable-msg',
        `<bpmn:startEvent id="s"/>${serviceTask('gate', 'durable-gate')}<bpmn:receiveTask id="r" messageRef="m"/><bpmn:endEvent id="e"/>${flow('f1', 's', 'gate')}${flow('f2', 'gate', 'r')}${flow('f3', 'r', 'e')}`,
        message('m', 'durable-signal', '=key'),
      ),
    );
    const jobInstance = await h.zeebe.createProcessInstance({ bpmnProcessId: 'durable-job', variables: { a: 1 } });
    const [activated] = await activate('durable-work');
    const timerInstance = await h.zeebe.createProcessInstance({ bpmnProcessId: 'durable-timer', variables: {} });
    const msgInstance = await h.zeebe.createProcessInstance({ bpmnProcessId: 'durable-msg', variables: { key: 'k-1' } });
    await h.zeebe.publishMessage({ name: 'durable-signal', correlationKey: 'k-1', variables: { fromMessage: true }, timeToLive: 2 * 3600_000 });

    await h.restart();

    // the activated job keeps its key and can still be completed after the restart
    await h.zeebe.completeJob({ jobKey: activated!.key, variables: {} });
    expect(await state(jobInstance.processInstanceKey)).toBe('COMPLETED');
    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await state(timerInstance.processInstanceKey)).toBe('COMPLETED');
    const [gate] = await activate('durable-gate');
    await h.zeebe.completeJob({ jobKey: gate!.key, variables: {} });
    expect(await state(msgInstance.processInstanceKey)).toBe('COMPLETED');
    // keys keep growing after a restart
    const later = await h.zeebe.createProcessInstance({ bpmnProcessId: 'durable-job', variables: {} });
    expect(BigInt(later.processInstanceKey)).toBeGreaterThan(BigInt(msgInstance.processInstanceKey));
  });
});
