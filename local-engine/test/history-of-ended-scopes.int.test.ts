/**
 * Conformance: what happened in a scope stays visible to the REST v2 searches after the scope
 * ended, as Camunda's searches read it from the exported records (secondary storage): the local
 * variables of a task with output mappings, of multi-instance iterations, of subprocesses and
 * event subprocesses, and their element instances with their end state; long values are cut in
 * searches and whole by key; all of it across a restart. Driven through @camunda8/sdk's
 * CamundaRestClient (and the gRPC client for the process side).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_history');
});
afterAll(async () => {
  await h.close();
});

async function activate(type: string) {
  return h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: -1 });
}

/** The variables of one scope, name -> JSON text, through `POST /v2/variables/search`. */
async function variablesOf(scopeKey: string): Promise<Record<string, string>> {
  const result = await h.rest.searchVariables({ filter: { scopeKey }, sort: [{ field: 'name', order: 'ASC' }] });
  return Object.fromEntries(result.items.map((v) => [v.name, v.value]));
}

/** The element instances of a process instance with one id, through `POST /v2/element-instances/search`. */
async function elementInstances(processInstanceKey: string, elementId: string) {
  const result = await h.rest.searchElementInstances({ filter: { processInstanceKey, elementId } });
  return result.items;
}

async function processState(processInstanceKey: string) {
  return (await h.api.getProcessInstance({ processInstanceKey }, now)).state;
}

describe('variables of ended scopes', () => {
  // docs.camunda.io/docs/8.8/components/concepts/variables/#output-mappings: with output mappings
  // the job's variables become local variables of the task and only the mapped result reaches the
  // process scope; Camunda's variable search still lists the task's locals after it completed
  it("keeps an output-mapping task's local variables after the task completed", async () => {
    await deploy(
      h,
      'hist-output',
      definitions(
        'hist-output',
        `<bpmn:startEvent id="start"/>${serviceTask('quote', 'hist-quote', { outputs: [['=result.total', 'total']] })}<bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'quote')}${flow('f2', 'quote', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-output', variables: { orderId: 'o-1' } });
    const [job] = await activate('hist-quote');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: { result: { total: 42 }, note: 'priced' } });
    expect(await processState(created.processInstanceKey)).toBe('COMPLETED');

    expect(await variablesOf(created.processInstanceKey)).toEqual({ orderId: '"o-1"', total: '42' });
    expect(await variablesOf(job!.elementInstanceKey)).toEqual({ note: '"priced"', result: '{"total":42}' });
    const [task] = await elementInstances(created.processInstanceKey, 'quote');
    expect(task).toMatchObject({ elementInstanceKey: job!.elementInstanceKey, state: 'COMPLETED', endDate: expect.any(String) });
  });

  // docs.camunda.io/docs/8.8/components/modeler/bpmn/multi-instance/#variable-mappings: the input
  // element is a local variable of each inner instance (with loopCounter); each iteration keeps its
  // own after it completed, and the inner instances stay listed as COMPLETED
  it('keeps every multi-instance iteration its own input element after the body completed', async () => {
    await deploy(
      h,
      'hist-mi',
      definitions(
        'hist-mi',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('each', 'hist-each', {
           inner: `<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`,
         })}
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'each')}${flow('f2', 'each', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-mi', variables: { items: ['a', 'b', 'c'] } });
    const jobs = await activate('hist-each');
    expect(jobs).toHaveLength(3);
    for (const job of jobs) await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    expect(await processState(created.processInstanceKey)).toBe('COMPLETED');

    const iterations = await Promise.all(jobs.map((job) => variablesOf(job.elementInstanceKey)));
    expect(iterations).toEqual([
      { item: '"a"', loopCounter: '1' },
      { item: '"b"', loopCounter: '2' },
      { item: '"c"', loopCounter: '3' },
    ]);
    const inner = (await elementInstances(created.processInstanceKey, 'each')).filter((e) => e.type !== 'MULTI_INSTANCE_BODY');
    expect(inner.map((e) => e.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    // a search by name finds every iteration's variable, paged as asked
    const page = await h.rest.searchVariables({ filter: { processInstanceKey: created.processInstanceKey, name: 'item' }, sort: [{ field: 'value', order: 'DESC' }], page: { from: 1, limit: 1 } });
    expect(page.items.map((v) => v.value)).toEqual(['"b"']);
    expect(page.page.totalItems).toBe(3);
  });

  // docs.camunda.io/docs/8.8/components/modeler/bpmn/embedded-subprocesses/#variable-mappings: input
  // mappings create local variables of the subprocess, which are not propagated; they stay
  // searchable after the subprocess completed, or was terminated by an interrupting boundary event
  // (docs.camunda.io/docs/8.8/components/modeler/bpmn/timer-events/#timer-boundary-events)
  it('keeps the local variables of a completed and of a terminated subprocess', async () => {
    await deploy(
      h,
      'hist-sub',
      definitions(
        'hist-sub',
        `<bpmn:startEvent id="start"/>
         <bpmn:subProcess id="sub">
           <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;sub-&quot; + orderId" target="subLocal"/></zeebe:ioMapping></bpmn:extensionElements>
           <bpmn:startEvent id="subStart"/>${serviceTask('work', 'hist-sub-work')}<bpmn:endEvent id="subEnd"/>
           ${flow('s1', 'subStart', 'work')}${flow('s2', 'work', 'subEnd')}
         </bpmn:subProcess>
         <bpmn:boundaryEvent id="late" attachedToRef="sub"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
         <bpmn:endEvent id="end"/><bpmn:endEvent id="lateEnd"/>
         ${flow('f1', 'start', 'sub')}${flow('f2', 'sub', 'end')}${flow('f3', 'late', 'lateEnd')}`,
      ),
    );
    const completed = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-sub', variables: { orderId: 'c' } });
    const [job] = await activate('hist-sub-work');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await processState(completed.processInstanceKey)).toBe('COMPLETED');
    const [sub] = await elementInstances(completed.processInstanceKey, 'sub');
    expect(sub).toMatchObject({ state: 'COMPLETED', endDate: expect.any(String) });
    expect(await variablesOf(sub!.elementInstanceKey)).toEqual({ subLocal: '"sub-c"' });
    expect(await variablesOf(completed.processInstanceKey)).toEqual({ orderId: '"c"' });

    const terminated = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-sub', variables: { orderId: 't' } });
    const [waiting] = await activate('hist-sub-work');
    h.clock.advance(3600_000);
    for (let i = 0; i < 50 && (await processState(terminated.processInstanceKey)) !== 'COMPLETED'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await processState(terminated.processInstanceKey)).toBe('COMPLETED');
    const [cut] = await elementInstances(terminated.processInstanceKey, 'sub');
    expect(cut).toMatchObject({ state: 'TERMINATED', endDate: expect.any(String) });
    expect(await variablesOf(cut!.elementInstanceKey)).toEqual({ subLocal: '"sub-t"' });
    const [task] = await elementInstances(terminated.processInstanceKey, 'work');
    expect(task).toMatchObject({ elementInstanceKey: waiting!.elementInstanceKey, state: 'TERMINATED', endDate: expect.any(String) });
  });

  // docs.camunda.io/docs/8.8/components/modeler/bpmn/event-subprocesses/#variables: input mappings
  // create local variables of the event subprocess, visible only within it; they stay searchable
  // after it completed
  it('keeps the local variables of an event subprocess after it completed', async () => {
    await deploy(
      h,
      'hist-event-sub',
      definitions(
        'hist-event-sub',
        `<bpmn:startEvent id="start"/>${serviceTask('main', 'hist-es-main')}<bpmn:endEvent id="end"/>
         <bpmn:subProcess id="onUpdate" triggeredByEvent="true">
           <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;update of &quot; + orderId" target="handled"/></zeebe:ioMapping></bpmn:extensionElements>
           <bpmn:startEvent id="updated" isInterrupting="false"><bpmn:messageEventDefinition messageRef="upd"/></bpmn:startEvent>
           <bpmn:endEvent id="updateEnd"/>${flow('u1', 'updated', 'updateEnd')}
         </bpmn:subProcess>
         ${flow('f1', 'start', 'main')}${flow('f2', 'main', 'end')}`,
        message('upd', 'hist-update', '=orderId'),
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-event-sub', variables: { orderId: 'e-1' } });
    await h.zeebe.publishMessage({ name: 'hist-update', correlationKey: 'e-1', variables: {}, timeToLive: 0 });
    const [eventSub] = await elementInstances(created.processInstanceKey, 'onUpdate');
    expect(eventSub).toMatchObject({ state: 'COMPLETED', endDate: expect.any(String) });
    expect(await variablesOf(eventSub!.elementInstanceKey)).toEqual({ handled: '"update of e-1"' });
    const [job] = await activate('hist-es-main');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await processState(created.processInstanceKey)).toBe('COMPLETED');
    expect((await variablesOf(eventSub!.elementInstanceKey)).handled).toBe('"update of e-1"');
  });
});

describe('user task variables', () => {
  // docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/search-user-task-variables/:
  // Camunda lists the variables of every scope on the task's element-instance path (its
  // UserTaskServices filters the variable search by the tree path's scope keys), each under its
  // own scope, and answers from history after the task completed
  it("lists the variables of the task's scopes, each under its own scope, after the task completed", async () => {
    await deploy(
      h,
      'hist-user-task',
      definitions(
        'hist-user-task',
        `<bpmn:startEvent id="start"/>
         <bpmn:subProcess id="sub">
           <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="level"/></zeebe:ioMapping></bpmn:extensionElements>
           <bpmn:startEvent id="subStart"/>
           <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/><zeebe:ioMapping><zeebe:input source="=2" target="level"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:userTask>
           <bpmn:endEvent id="subEnd"/>${flow('s1', 'subStart', 'review')}${flow('s2', 'review', 'subEnd')}
         </bpmn:subProcess>
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'sub')}${flow('f2', 'sub', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-user-task', variables: { level: 0 } });
    const [task] = (await h.rest.searchUserTasks({ filter: { processInstanceKey: created.processInstanceKey } })).items;
    await h.rest.completeUserTask({ userTaskKey: task!.userTaskKey, variables: {} });
    expect(await processState(created.processInstanceKey)).toBe('COMPLETED');
    const [sub] = await elementInstances(created.processInstanceKey, 'sub');

    const found = await h.rest.searchUserTaskVariables({ userTaskKey: task!.userTaskKey, filter: { name: 'level' } });
    expect(found.items.map((v) => [v.scopeKey, v.value])).toEqual([
      [created.processInstanceKey, '0'],
      [sub!.elementInstanceKey, '1'],
      [task!.elementInstanceKey, '2'],
    ]);
  });
});

describe('long values', () => {
  // docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/search-variables/
  // (VariableSearchResult: "Value of this variable. Can be truncated.", isTruncated) and
  // .../get-variable/ (VariableResult: "Full value of this variable."); Camunda cuts the JSON text
  // at its default variableSizeThreshold of 8191 characters
  it('cuts a long value in searches, says so, and gives it whole by key', async () => {
    await deploy(
      h,
      'hist-long',
      definitions('hist-long', `<bpmn:startEvent id="start"/>${serviceTask('hold', 'hist-long-hold', { outputs: [['=short', 'short']] })}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'hold')}${flow('f2', 'hold', 'end')}`),
    );
    const long = 'b'.repeat(8192);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-long', variables: {} });
    const [job] = await activate('hist-long-hold');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: { long, short: 's' } });
    expect(await processState(created.processInstanceKey)).toBe('COMPLETED');

    const found = await h.rest.searchVariables({ filter: { scopeKey: job!.elementInstanceKey, isTruncated: true } });
    expect(found.items).toHaveLength(1);
    const [variable] = found.items;
    expect(variable).toMatchObject({ name: 'long', isTruncated: true, scopeKey: job!.elementInstanceKey, processInstanceKey: created.processInstanceKey });
    expect(variable!.value).toBe(`"${long.slice(0, 8190)}`);
    const short = await h.rest.searchVariables({ filter: { scopeKey: job!.elementInstanceKey, isTruncated: false } });
    expect(short.items.map((v) => [v.name, v.value, v.isTruncated])).toEqual([['short', '"s"', false]]);

    // the SDK's getVariable parses the full JSON value
    const whole = await h.rest.getVariable({ variableKey: variable!.variableKey });
    expect(whole).toMatchObject({ name: 'long', value: long, scopeKey: job!.elementInstanceKey, variableKey: variable!.variableKey });
    const missing = await fetch(`${h.engine.restAddress}/v2/variables/${variable!.variableKey.slice(0, -3)}999`);
    expect(missing.status).toBe(404);
  });
});

describe('history across a restart', () => {
  // docs.camunda.io/docs/8.8/components/concepts/variables/#output-mappings and the durability of
  // the engine's state (docs/architecture.md §4): after a restart on the same PostgreSQL, the
  // ended scopes' variables and element instances are still answered
  it('still answers the history of ended scopes after a restart', async () => {
    await deploy(
      h,
      'hist-restart',
      definitions(
        'hist-restart',
        `<bpmn:startEvent id="start"/>${serviceTask('quote', 'hist-restart-quote', { outputs: [['=price', 'price']] })}${serviceTask('ship', 'hist-restart-ship')}<bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'quote')}${flow('f2', 'quote', 'ship')}${flow('f3', 'ship', 'end')}`,
      ),
    );
    const ended = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-restart', variables: {} });
    const [quote] = await activate('hist-restart-quote');
    await h.zeebe.completeJob({ jobKey: quote!.key, variables: { price: 7, carrier: 'dhl' } });
    const [ship] = await activate('hist-restart-ship');
    await h.zeebe.completeJob({ jobKey: ship!.key, variables: {} });
    expect(await processState(ended.processInstanceKey)).toBe('COMPLETED');
    // a running instance keeps the history of its ended scopes as well
    const running = await h.zeebe.createProcessInstance({ bpmnProcessId: 'hist-restart', variables: {} });
    const [runningQuote] = await activate('hist-restart-quote');
    await h.zeebe.completeJob({ jobKey: runningQuote!.key, variables: { price: 9, carrier: 'ups' } });

    await h.restart();

    expect(await variablesOf(quote!.elementInstanceKey)).toEqual({ carrier: '"dhl"', price: '7' });
    expect(await variablesOf(runningQuote!.elementInstanceKey)).toEqual({ carrier: '"ups"', price: '9' });
    const [task] = await elementInstances(ended.processInstanceKey, 'quote');
    expect(task).toMatchObject({ state: 'COMPLETED', endDate: expect.any(String) });
    const [variable] = (await h.rest.searchVariables({ filter: { scopeKey: quote!.elementInstanceKey, name: 'carrier' } })).items;
    expect((await h.rest.getVariable({ variableKey: variable!.variableKey })).value).toBe('dhl');
    expect(await processState(running.processInstanceKey)).toBe('ACTIVE');
  });
});
