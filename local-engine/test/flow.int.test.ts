/**
 * Conformance: gateways, subprocesses, multi-instance, variable scopes and mappings,
 * compensation, cancellation, driven only through the @camunda8/sdk clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_flow');
});
afterAll(async () => {
  await h.close();
});

async function state(key: string) {
  return (await h.api.getProcessInstance({ processInstanceKey: key }, now)).state;
}

async function activate(type: string, fetchVariable?: string[]) {
  return h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: -1, ...(fetchVariable ? { fetchVariable } : {}) });
}

async function variablesOf(processInstanceKey: string, scopeKey: string) {
  const result = await h.api.searchVariables({ filter: { processInstanceKey, scopeKey } }, now);
  return Object.fromEntries(result.items.map((v) => [v.name, JSON.parse(v.value)]));
}

describe('gateways', () => {
  const routing = definitions(
    'xor',
    `<bpmn:startEvent id="start"/>
     <bpmn:exclusiveGateway id="route" default="toManual"/>
     ${serviceTask('auto', 'xor-auto')}${serviceTask('manual', 'xor-manual')}
     <bpmn:endEvent id="end"/>
     ${flow('f1', 'start', 'route')}${flow('toAuto', 'route', 'auto', '=amount &lt; 100')}${flow('toManual', 'route', 'manual')}
     ${flow('f4', 'auto', 'end')}${flow('f5', 'manual', 'end')}`,
  );

  // docs.camunda.io/docs/components/modeler/bpmn/exclusive-gateways/: first true condition wins,
  // else the default flow
  it('routes on the condition and falls back to the default flow', async () => {
    await deploy(h, 'xor', routing);
    await h.zeebe.createProcessInstance({ bpmnProcessId: 'xor', variables: { amount: 5 } });
    await h.zeebe.createProcessInstance({ bpmnProcessId: 'xor', variables: { amount: 500 } });
    expect((await activate('xor-auto')).map((j) => j.variables.amount)).toEqual([5]);
    expect((await activate('xor-manual')).map((j) => j.variables.amount)).toEqual([500]);
  });

  // docs.camunda.io/docs/components/modeler/bpmn/exclusive-gateways/: no condition true and no
  // default flow -> incident; resolving after fixing the variable continues
  it('raises an incident when no condition matches and there is no default flow', async () => {
    await deploy(
      h,
      'xor-strict',
      definitions(
        'xor-strict',
        `<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="route"/>
         <bpmn:endEvent id="small"/><bpmn:endEvent id="large"/>
         ${flow('f1', 'start', 'route')}${flow('f2', 'route', 'small', '=amount &lt; 10')}${flow('f3', 'route', 'large', '=amount &gt; 100')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'xor-strict', variables: { amount: 50 } });
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey: created.processInstanceKey } }, now);
    expect(incidents.items.map((i) => [i.errorType, i.elementId])).toEqual([['CONDITION_ERROR', 'route']]);
    await h.zeebe.setVariables({ elementInstanceKey: created.processInstanceKey, variables: { amount: 500 }, local: false });
    await h.zeebe.resolveIncident({ incidentKey: incidents.items[0]!.incidentKey });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/parallel-gateways/: fork activates all
  // branches; join waits for one token per incoming flow
  it('forks and joins parallel branches', async () => {
    await deploy(
      h,
      'and',
      definitions(
        'and',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
         ${serviceTask('a', 'and-a')}${serviceTask('b', 'and-b')}${serviceTask('after', 'and-after')}<bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'fork')}${flow('f2', 'fork', 'a')}${flow('f3', 'fork', 'b')}${flow('f4', 'a', 'join')}${flow('f5', 'b', 'join')}${flow('f6', 'join', 'after')}${flow('f7', 'after', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'and', variables: {} });
    const [a] = await activate('and-a');
    const [b] = await activate('and-b');
    await h.zeebe.completeJob({ jobKey: a!.key, variables: { a: 1 } });
    expect(await activate('and-after')).toHaveLength(0);
    await h.zeebe.completeJob({ jobKey: b!.key, variables: { b: 2 } });
    const [after] = await activate('and-after');
    expect(after!.variables).toMatchObject({ a: 1, b: 2 });
    await h.zeebe.completeJob({ jobKey: after!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('variables', () => {
  // docs.camunda.io/docs/components/concepts/variables/#variable-propagation and
  // .../variables/#input-output-variable-mappings: without output mappings, job variables are
  // propagated to the nearest scope that has them, else to the root; with output mappings the
  // job variables stay local and only the mapped targets leave the task
  it('propagates job variables as Zeebe documents (with and without output mappings)', async () => {
    await deploy(
      h,
      'vars',
      definitions(
        'vars',
        `<bpmn:startEvent id="start"/>
         <bpmn:subProcess id="sub">
           <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=0" target="counter"/></zeebe:ioMapping></bpmn:extensionElements>
           <bpmn:startEvent id="subStart"/>
           ${serviceTask('plain', 'vars-plain', { inputs: [['=orderId', 'localOrder']] })}
           ${serviceTask('mapped', 'vars-mapped', { outputs: [['=result.total', 'total']] })}
           <bpmn:endEvent id="subEnd"/>
           ${flow('s1', 'subStart', 'plain')}${flow('s2', 'plain', 'mapped')}${flow('s3', 'mapped', 'subEnd')}
         </bpmn:subProcess>
         ${serviceTask('check', 'vars-check')}
         <bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'sub')}${flow('f2', 'sub', 'check')}${flow('f3', 'check', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'vars', variables: { orderId: 'v-1' } });
    const pi = created.processInstanceKey;
    const [plain] = await activate('vars-plain');
    expect(plain!.variables).toMatchObject({ orderId: 'v-1', localOrder: 'v-1', counter: 0 });
    // counter exists in the subprocess scope; localOrder in the task's own scope; fresh goes to root
    await h.zeebe.completeJob({ jobKey: plain!.key, variables: { counter: 1, localOrder: 'changed', fresh: true } });
    const [mapped] = await activate('vars-mapped');
    expect(mapped!.variables).toMatchObject({ counter: 1, fresh: true, orderId: 'v-1' });
    expect(mapped!.variables).not.toHaveProperty('localOrder');
    expect(await variablesOf(pi, pi)).toEqual({ orderId: 'v-1', fresh: true });
    await h.zeebe.completeJob({ jobKey: mapped!.key, variables: { result: { total: 99 }, noise: 'x' } });
    const [check] = await activate('vars-check');
    expect(check!.variables).toEqual({ orderId: 'v-1', fresh: true, total: 99 });
    await h.zeebe.completeJob({ jobKey: check!.key, variables: {} });
    expect(await state(pi)).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/#activatejobs-rpc (fetchVariable)
  it('returns only the requested variables with fetchVariable', async () => {
    await deploy(
      h,
      'fetch',
      definitions('fetch', `<bpmn:startEvent id="s"/>${serviceTask('t', 'fetch-work')}<bpmn:endEvent id="e"/>${flow('f1', 's', 't')}${flow('f2', 't', 'e')}`),
    );
    await h.zeebe.createProcessInstance({ bpmnProcessId: 'fetch', variables: { a: 1, b: 2, c: 3 } });
    const [job] = await activate('fetch-work', ['a', 'c']);
    expect(job!.variables).toEqual({ a: 1, c: 3 });
  });
});

describe('multi-instance', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/multi-instance/: parallel instances, one per
  // item, with inputElement local to each; outputCollection collects outputElement in item order
  it('runs a parallel multi-instance task and collects the output collection in order', async () => {
    await deploy(
      h,
      'mi',
      definitions(
        'mi',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('each', 'mi-each', {
           inner: `<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=done"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`,
         })}
         ${serviceTask('after', 'mi-after')}<bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'each')}${flow('f2', 'each', 'after')}${flow('f3', 'after', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'mi', variables: { items: ['a', 'b', 'c'] } });
    const jobs = await activate('mi-each');
    expect(jobs.map((j) => j.variables.item).sort()).toEqual(['a', 'b', 'c']);
    expect(jobs.map((j) => j.variables.loopCounter).sort()).toEqual([1, 2, 3]);
    // complete out of order
    for (const job of [...jobs].reverse()) await h.zeebe.completeJob({ jobKey: job.key, variables: { done: `${String(job.variables.item)}!` } });
    const [after] = await activate('mi-after');
    expect(after!.variables.results).toEqual(['a!', 'b!', 'c!']);
    expect(after!.variables).not.toHaveProperty('item');
    await h.zeebe.completeJob({ jobKey: after!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/multi-instance/#sequential: one at a time
  it('runs a sequential multi-instance one item at a time', async () => {
    await deploy(
      h,
      'mi-seq',
      definitions(
        'mi-seq',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('each', 'mis-each', {
           inner: `<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`,
         })}
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'each')}${flow('f2', 'each', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'mi-seq', variables: { items: [1, 2] } });
    const first = await activate('mis-each');
    expect(first.map((j) => j.variables.item)).toEqual([1]);
    await h.zeebe.completeJob({ jobKey: first[0]!.key, variables: {} });
    const second = await activate('mis-each');
    expect(second.map((j) => j.variables.item)).toEqual([2]);
    await h.zeebe.completeJob({ jobKey: second[0]!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('more multi-instance and mapping cases', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/multi-instance/#completion-condition: the body
  // completes as soon as the condition holds; remaining inner instances are terminated
  it('completes a parallel multi-instance early on its completion condition', async () => {
    await deploy(
      h,
      'mi-cond',
      definitions(
        'mi-cond',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('each', 'mic-each', {
           inner: `<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=found = true</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>`,
         })}
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'each')}${flow('f2', 'each', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'mi-cond', variables: { items: [1, 2, 3], found: false } });
    const jobs = await activate('mic-each');
    expect(jobs).toHaveLength(3);
    await h.zeebe.completeJob({ jobKey: jobs[0]!.key, variables: { found: true } });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    await expect(h.zeebe.completeJob({ jobKey: jobs[1]!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
  });

  // docs.camunda.io/docs/components/modeler/bpmn/multi-instance/#defining-the-collection-to-iterate-over
  // and .../concepts/incidents/: an input collection that is not a list raises an incident;
  // setting the variable and resolving the incident activates the body again
  it('raises an incident for a missing input collection and retries it on resolution', async () => {
    await deploy(
      h,
      'mi-incident',
      definitions(
        'mi-incident',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('each', 'mii-each', {
           inner: `<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`,
         })}
         <bpmn:endEvent id="end"/>${flow('f1', 'start', 'each')}${flow('f2', 'each', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'mi-incident', variables: {} });
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey: created.processInstanceKey } }, now);
    expect(incidents.items.map((i) => [i.errorType, i.elementId])).toEqual([['EXTRACT_VALUE_ERROR', 'each']]);
    expect(incidents.items[0]!.errorMessage).toContain("to be 'ARRAY'");
    await h.zeebe.setVariables({ elementInstanceKey: created.processInstanceKey, variables: { items: ['x'] }, local: false });
    await h.zeebe.resolveIncident({ incidentKey: incidents.items[0]!.incidentKey });
    const [job] = await activate('mii-each');
    expect(job!.variables).toMatchObject({ item: 'x' });
  });
});

describe('compensation', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/compensation-handler/: the throw event
  // triggers the handlers of completed activities and waits until they all completed
  it('runs the compensation handlers of completed tasks and waits for them', async () => {
    await deploy(
      h,
      'comp',
      definitions(
        'comp',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('reserve', 'comp-reserve')}
         <bpmn:boundaryEvent id="reserveComp" attachedToRef="reserve"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
         ${serviceTask('undoReserve', 'comp-undo-reserve', { attrs: 'isForCompensation="true"' })}
         ${serviceTask('ship', 'comp-ship')}
         <bpmn:boundaryEvent id="shipComp" attachedToRef="ship"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
         ${serviceTask('undoShip', 'comp-undo-ship', { attrs: 'isForCompensation="true"' })}
         <bpmn:intermediateThrowEvent id="compensate"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>
         ${serviceTask('after', 'comp-after')}
         <bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'reserve')}${flow('f2', 'reserve', 'ship')}${flow('f3', 'ship', 'compensate')}${flow('f4', 'compensate', 'after')}${flow('f5', 'after', 'end')}
         <bpmn:association id="a1" associationDirection="One" sourceRef="reserveComp" targetRef="undoReserve"/>
         <bpmn:association id="a2" associationDirection="One" sourceRef="shipComp" targetRef="undoShip"/>`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'comp', variables: {} });
    for (const type of ['comp-reserve', 'comp-ship']) {
      const [job] = await activate(type);
      await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    }
    const [undoShip] = await activate('comp-undo-ship');
    const [undoReserve] = await activate('comp-undo-reserve');
    expect(undoShip).toBeDefined();
    expect(undoReserve).toBeDefined();
    await h.zeebe.completeJob({ jobKey: undoShip!.key, variables: {} });
    expect(await activate('comp-after')).toHaveLength(0); // still waiting for the other handler
    await h.zeebe.completeJob({ jobKey: undoReserve!.key, variables: {} });
    const [after] = await activate('comp-after');
    await h.zeebe.completeJob({ jobKey: after!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('compensation on cancellation', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/compensation-handler/ and
  // .../event-subprocesses/: a compensation throw event inside an interrupting event subprocess
  // compensates the completed activities of the enclosing scope before the subprocess goes on
  it('compensates completed work from an interrupting message event subprocess', async () => {
    await deploy(
      h,
      'comp-cancel',
      definitions(
        'comp-cancel',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('reserve', 'cc-reserve')}
         <bpmn:boundaryEvent id="reserveComp" attachedToRef="reserve"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
         ${serviceTask('release', 'cc-release', { attrs: 'isForCompensation="true"' })}
         ${serviceTask('ship', 'cc-ship')}
         <bpmn:endEvent id="end"/>
         <bpmn:subProcess id="onCancel" triggeredByEvent="true">
           <bpmn:startEvent id="cancelRequested"><bpmn:messageEventDefinition messageRef="mc"/></bpmn:startEvent>
           <bpmn:intermediateThrowEvent id="undoAll"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>
           ${serviceTask('markCancelled', 'cc-mark')}
           <bpmn:endEvent id="cancelled"/>
           ${flow('c1', 'cancelRequested', 'undoAll')}${flow('c2', 'undoAll', 'markCancelled')}${flow('c3', 'markCancelled', 'cancelled')}
         </bpmn:subProcess>
         ${flow('f1', 'start', 'reserve')}${flow('f2', 'reserve', 'ship')}${flow('f3', 'ship', 'end')}
         <bpmn:association id="a1" associationDirection="One" sourceRef="reserveComp" targetRef="release"/>`,
        `<bpmn:message id="mc" name="order-cancel-requested"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'comp-cancel', variables: { orderId: 'cc-1' } });
    const [reserve] = await activate('cc-reserve');
    await h.zeebe.completeJob({ jobKey: reserve!.key, variables: { reservationId: 'r-1' } });
    const [ship] = await activate('cc-ship');
    await h.zeebe.publishMessage({ name: 'order-cancel-requested', correlationKey: 'cc-1', variables: {}, timeToLive: 0 });
    await expect(h.zeebe.completeJob({ jobKey: ship!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
    expect(await activate('cc-mark')).toHaveLength(0); // waits for the handler
    const [release] = await activate('cc-release');
    expect(release!.variables).toMatchObject({ reservationId: 'r-1' });
    await h.zeebe.completeJob({ jobKey: release!.key, variables: {} });
    const [mark] = await activate('cc-mark');
    await h.zeebe.completeJob({ jobKey: mark!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('cancel', () => {
  // docs.camunda.io/docs/components/concepts/process-instance-creation/ and
  // .../apis-tools/zeebe-api/gateway-service/#cancelprocessinstance-rpc: cancel terminates all
  // element instances, including nested ones; their jobs disappear
  it('cancels an instance: children terminated, open jobs removed', async () => {
    await deploy(
      h,
      'cancel',
      definitions(
        'cancel',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>
         ${serviceTask('top', 'cancel-top')}
         <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${serviceTask('inner', 'cancel-inner')}<bpmn:endEvent id="se"/>${flow('s1', 'ss', 'inner')}${flow('s2', 'inner', 'se')}</bpmn:subProcess>
         <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
         ${flow('f1', 'start', 'fork')}${flow('f2', 'fork', 'top')}${flow('f3', 'fork', 'sub')}${flow('f4', 'top', 'e1')}${flow('f5', 'sub', 'e2')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'cancel', variables: {} });
    const [top] = await activate('cancel-top');
    await h.zeebe.cancelProcessInstance(created.processInstanceKey);
    expect(await state(created.processInstanceKey)).toBe('TERMINATED');
    expect(await activate('cancel-inner')).toHaveLength(0);
    await expect(h.zeebe.completeJob({ jobKey: top!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
    const result = await h.api.searchElementInstances({ filter: { processInstanceKey: created.processInstanceKey, state: 'ACTIVE' } }, now);
    expect(result.items).toHaveLength(0);
    await expect(h.zeebe.cancelProcessInstance(created.processInstanceKey)).rejects.toMatchObject({ code: 5 });
  });
});

describe('inclusive gateway (diverging)', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/inclusive-gateways/: every flow whose condition
  // holds is taken; none: the default flow; none and no default: an incident
  const lunch = (withDefault: boolean) =>
    definitions(
      withDefault ? 'lunch' : 'lunch-strict',
      `<bpmn:startEvent id="start"/>
       <bpmn:inclusiveGateway id="courses" ${withDefault ? 'default="fNothing"' : ''}/>
       ${serviceTask('pasta', 'lunch-pasta')}${serviceTask('salad', 'lunch-salad')}${serviceTask('steak', 'lunch-steak')}
       <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>
       ${flow('f0', 'start', 'courses')}
       ${flow('fPasta', 'courses', 'pasta', '=list contains(courses, "pasta")')}
       ${flow('fSalad', 'courses', 'salad', '=list contains(courses, "salad")')}
       ${flow('fSteak', 'courses', 'steak', '=list contains(courses, "steak")')}
       ${withDefault ? `${serviceTask('bread', 'lunch-bread')}<bpmn:endEvent id="e4"/>${flow('fNothing', 'courses', 'bread')}${flow('f9', 'bread', 'e4')}` : ''}
       ${flow('f5', 'pasta', 'e1')}${flow('f6', 'salad', 'e2')}${flow('f7', 'steak', 'e3')}`,
    );

  async function jobTypes(processInstanceKey: string) {
    const types: string[] = [];
    for (const type of ['lunch-pasta', 'lunch-salad', 'lunch-steak', 'lunch-bread']) {
      const jobs = await h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 60_000, requestTimeout: -1 });
      for (const job of jobs) if (job.processInstanceKey === processInstanceKey) types.push(type);
    }
    return types;
  }

  it('takes every flow whose condition holds, and the default flow when none does', async () => {
    await deploy(h, 'lunch', lunch(true));
    const two = await h.zeebe.createProcessInstance({ bpmnProcessId: 'lunch', variables: { courses: ['pasta', 'salad'] } });
    expect(await jobTypes(two.processInstanceKey)).toEqual(['lunch-pasta', 'lunch-salad']);
    const none = await h.zeebe.createProcessInstance({ bpmnProcessId: 'lunch', variables: { courses: [] } });
    expect(await jobTypes(none.processInstanceKey)).toEqual(['lunch-bread']);
  });

  it('raises an incident when no condition holds and there is no default flow', async () => {
    await deploy(h, 'lunch-strict', lunch(false));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'lunch-strict', variables: { courses: [] } });
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey: created.processInstanceKey } }, now);
    expect(incidents.items.map((i) => [i.elementId, i.errorType])).toEqual([['courses', 'CONDITION_ERROR']]);
  });
});
