/**
 * Process instance modification on the engine alone (no store, no protocol): the rules of
 * docs/8.8 components/concepts/process-instance-modification and of Zeebe 8.8's
 * `ProcessInstanceModificationModifyProcessor` and `ElementActivationBehavior` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/{processinstance,common}/).
 */
import { describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from '../../../test/fixtures';
import { ManualClock } from '../../clock';
import { Engine } from '../../engine';
import type { ElementInstanceRecord } from '../../state/records';
import type { ActivateInstruction, ProcessInstanceModification } from './instructions';

const tenant = '<default>';

async function engineWith(...xmls: Array<[string, string]>) {
  const engine = new Engine(new ManualClock(0), undefined);
  await engine.start();
  for (const [id, xml] of xmls) await engine.deploy([{ name: `${id}.bpmn`, content: Buffer.from(xml) }], tenant);
  return engine;
}

function start(engine: Engine, processId: string, variables: Record<string, unknown> = {}) {
  return engine.createProcessInstance(engine.findDefinition({ bpmnProcessId: processId, tenantId: tenant }), variables);
}

function instancesOf(engine: Engine, processInstanceKey: number, elementId?: string): ElementInstanceRecord[] {
  return [...engine.state.values('elements')].filter((e) => e.processInstanceKey === processInstanceKey && (elementId === undefined || e.elementId === elementId));
}

function active(engine: Engine, processInstanceKey: number, elementId: string): ElementInstanceRecord[] {
  return instancesOf(engine, processInstanceKey, elementId).filter((e) => engine.interpreter.isActive(e));
}

function modify(engine: Engine, processInstanceKey: number, activate: Array<Partial<ActivateInstruction> & { elementId: string }>, terminate: number[] = []) {
  const modification: ProcessInstanceModification = {
    processInstanceKey,
    activateInstructions: activate.map((a) => ({ variableInstructions: [], ...a })),
    terminateInstructions: terminate.map((elementInstanceKey) => ({ elementInstanceKey })),
  };
  engine.modifyProcessInstance(modification);
}

/** A snapshot of everything a rejected command must leave as it was. */
function snapshot(engine: Engine) {
  return JSON.stringify(['elements', 'jobs', 'variables', 'subscriptions', 'timers', 'userTasks'].map((c) => [...engine.state.values(c as 'elements')]));
}

/** start -> A -> B -> end, both service tasks. */
const twoTasks = definitions('two', `<bpmn:startEvent id="start"/>${serviceTask('A', 'a')}${serviceTask('B', 'b')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'A')}${flow('f2', 'A', 'B')}${flow('f3', 'B', 'end')}`);

/** start -> sub(subStart -> X -> Y -> subEnd) -> end, with a timer boundary on sub. */
const withSub = definitions(
  'withsub',
  `<bpmn:startEvent id="start"/>
   <bpmn:subProcess id="sub">
     <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;mapped&quot;" target="subInput"/></zeebe:ioMapping></bpmn:extensionElements>
     <bpmn:startEvent id="subStart"/>${serviceTask('X', 'x')}${serviceTask('Y', 'y', { inputs: [['=base', 'yLocal']] })}<bpmn:endEvent id="subEnd"/>
     ${flow('s1', 'subStart', 'X')}${flow('s2', 'X', 'Y')}${flow('s3', 'Y', 'subEnd')}
   </bpmn:subProcess>
   <bpmn:boundaryEvent id="late" attachedToRef="sub"><bpmn:timerEventDefinition><bpmn:timeDuration>=timeout</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   ${serviceTask('Z', 'z')}<bpmn:endEvent id="end"/><bpmn:endEvent id="lateEnd"/>
   ${flow('f1', 'start', 'Z')}${flow('f2', 'sub', 'end')}${flow('f3', 'late', 'lateEnd')}`,
);

describe('activate and terminate', () => {
  it('given a stuck token on A, when B is activated and A terminated, then B has its job and A is terminated (the "move token" of the docs)', async () => {
    const engine = await engineWith(['two', twoTasks]);
    const root = start(engine, 'two');
    const [a] = active(engine, root.key, 'A');
    modify(engine, root.key, [{ elementId: 'B', variableInstructions: [{ variables: { moved: true }, scopeId: '' }] }], [a!.key]);
    expect(engine.state.get('elements', a!.key)!.state).toBe('TERMINATED');
    const [b] = active(engine, root.key, 'B');
    expect(b).toBeDefined();
    expect([...engine.state.values('jobs')].some((j) => j.elementInstanceKey === b!.key && j.type === 'b')).toBe(true);
    expect(engine.rootVariables(root.key)).toEqual({ moved: true });
    // the job of A is gone
    expect([...engine.state.values('jobs')].some((j) => j.elementInstanceKey === a!.key)).toBe(false);
    const [job] = engine.activateJobs({ type: 'b', worker: 'w', timeout: 1000, maxJobs: 1, fetchVariables: [], tenantIds: [] });
    engine.completeJob(job!.job.key, {});
    expect(engine.state.get('elements', root.key)!.state).toBe('COMPLETED');
  });

  it('given no instance of the subprocess, when an element inside it is activated, then the subprocess is created without its start event or input mappings, with its boundary timer, and the variables land in their scopes', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', { timeout: 'PT1H', base: 'b' });
    modify(engine, root.key, [
      {
        elementId: 'Y',
        variableInstructions: [
          { variables: { inSub: 1 }, scopeId: 'sub' },
          { variables: { onY: 2, yLocal: 'overwritten by the input mapping' }, scopeId: 'Y' },
          { variables: { global: 3 }, scopeId: '' },
        ],
      },
    ]);
    const [sub] = active(engine, root.key, 'sub');
    const [y] = active(engine, root.key, 'Y');
    expect(sub!.state).toBe('ACTIVATED');
    expect(y!.flowScopeKey).toBe(sub!.key);
    expect(instancesOf(engine, root.key, 'subStart')).toEqual([]);
    expect(engine.interpreter.variables.local(sub!.key)).toEqual({ inSub: 1 });
    // Zeebe sets an element's own variables before its activation applies the input mappings
    expect(engine.interpreter.variables.local(y!.key)).toEqual({ onY: 2, yLocal: 'b' });
    expect(engine.rootVariables(root.key)).toMatchObject({ global: 3 });
    expect([...engine.state.values('timers')].filter((t) => t.elementInstanceKey === sub!.key)).toHaveLength(1);
    // Z (from the start) still runs beside it
    expect(active(engine, root.key, 'Z')).toHaveLength(1);
  });

  it('given an instance of the subprocess, when an element inside it is activated, then it joins that instance', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', { timeout: 'PT1H' });
    modify(engine, root.key, [{ elementId: 'X' }]);
    const [sub] = active(engine, root.key, 'sub');
    modify(engine, root.key, [{ elementId: 'Y', variableInstructions: [{ variables: { again: true }, scopeId: 'sub' }] }]);
    expect(active(engine, root.key, 'sub')).toHaveLength(1);
    expect(active(engine, root.key, 'Y')[0]!.flowScopeKey).toBe(sub!.key);
    expect(engine.interpreter.variables.local(sub!.key)).toEqual({ again: true });
  });

  it('given an ancestor key, when one of two subprocess instances is selected, then the element runs in that one; without it the command is ambiguous', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', { timeout: 'PT1H' });
    // a new instance of sub next to an existing one: select the process instance as ancestor
    modify(engine, root.key, [{ elementId: 'X' }]);
    modify(engine, root.key, [{ elementId: 'X', ancestorElementInstanceKey: root.key }]);
    const subs = active(engine, root.key, 'sub');
    expect(subs).toHaveLength(2);
    const before = snapshot(engine);
    expect(() => modify(engine, root.key, [{ elementId: 'Y' }])).toThrow(/flow scope with more than one active instance: 'sub'/);
    expect(snapshot(engine)).toBe(before);
    modify(engine, root.key, [{ elementId: 'Y', ancestorElementInstanceKey: subs[1]!.key }]);
    expect(active(engine, root.key, 'Y').map((y) => y.flowScopeKey)).toEqual([subs[1]!.key]);
  });

  it('given a terminate of the last instance in the process, then the process instance is terminated, not completed', async () => {
    const engine = await engineWith(['two', twoTasks]);
    const root = start(engine, 'two');
    const [a] = active(engine, root.key, 'A');
    modify(engine, root.key, [], [a!.key]);
    expect(engine.state.get('elements', root.key)!.state).toBe('TERMINATED');
    expect([...engine.state.values('jobs')]).toEqual([]);
  });

  it('given a terminate of the last instance in a subprocess, then the subprocess ends too, but the process instance goes on with its other branch', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', { timeout: 'PT1H' });
    modify(engine, root.key, [{ elementId: 'X' }]);
    const [sub] = active(engine, root.key, 'sub');
    const [x] = active(engine, root.key, 'X');
    modify(engine, root.key, [], [x!.key]);
    expect(engine.state.get('elements', sub!.key)!.state).toBe('TERMINATED');
    expect([...engine.state.values('timers')].filter((t) => t.elementInstanceKey === sub!.key)).toEqual([]);
    expect(engine.state.get('elements', root.key)!.state).toBe('ACTIVATED');
    // and the flow did not continue after the subprocess
    expect(instancesOf(engine, root.key, 'end')).toEqual([]);
  });

  it('given a task terminated and another activated in the same subprocess instance, then the subprocess instance stays', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', { timeout: 'PT1H' });
    modify(engine, root.key, [{ elementId: 'X' }]);
    const [sub] = active(engine, root.key, 'sub');
    const [x] = active(engine, root.key, 'X');
    modify(engine, root.key, [{ elementId: 'Y' }], [x!.key]);
    expect(engine.state.get('elements', sub!.key)!.state).toBe('ACTIVATED');
    expect(active(engine, root.key, 'Y')[0]!.flowScopeKey).toBe(sub!.key);
  });

  it('given a parallel multi-instance task, when one inner instance is terminated, then the body completes with the last remaining one (Zeebe completes a body once no inner instance is left)', async () => {
    const mi = definitions(
      'mipar',
      `<bpmn:startEvent id="start"/>${serviceTask('M', 'mp', { inner: '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>' })}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'M')}${flow('f2', 'M', 'end')}`,
    );
    const engine = await engineWith(['mipar', mi]);
    const root = start(engine, 'mipar');
    const inner = active(engine, root.key, 'M').filter((m) => m.loopCounter !== undefined);
    modify(engine, root.key, [], [inner[0]!.key]);
    const [job] = engine.activateJobs({ type: 'mp', worker: 'w', timeout: 1000, maxJobs: 5, fetchVariables: [], tenantIds: [] });
    expect(job!.job.elementInstanceKey).toBe(inner[1]!.key);
    engine.completeJob(job!.job.key, {});
    expect(engine.state.get('elements', root.key)!.state).toBe('COMPLETED');
  });

  it('given a multi-instance task, when it is activated, then its body runs over the input collection', async () => {
    const mi = definitions(
      'mi',
      `<bpmn:startEvent id="start"/>${serviceTask('A', 'a')}${serviceTask('M', 'm', { inner: '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>' })}${flow('f1', 'start', 'A')}${flow('f2', 'A', 'M')}`,
    );
    const engine = await engineWith(['mi', mi]);
    const root = start(engine, 'mi', { items: [1, 2] });
    modify(engine, root.key, [{ elementId: 'M' }]);
    expect(active(engine, root.key, 'M').filter((m) => m.loopCounter !== undefined)).toHaveLength(2);
  });
});

describe('rejections change nothing', () => {
  it('given an unknown process instance, or one that ended, answers NOT_FOUND', async () => {
    const engine = await engineWith(['two', twoTasks]);
    expect(() => modify(engine, 2 ** 51 + 999, [{ elementId: 'B' }])).toThrow(expect.objectContaining({ type: 'NOT_FOUND', message: `Expected to modify process instance but no process instance found with key '${2 ** 51 + 999}'` }));
    const root = start(engine, 'two');
    engine.cancelProcessInstance(root.key);
    expect(() => modify(engine, root.key, [{ elementId: 'B' }])).toThrow(expect.objectContaining({ type: 'NOT_FOUND' }));
  });

  const cases: Array<[string, (keys: { a: number; root: number }) => ProcessInstanceModification['activateInstructions'], (keys: { a: number; root: number }) => number[], RegExp]> = [
    ['an unknown element', () => [{ elementId: 'B', variableInstructions: [] }, { elementId: 'nope', variableInstructions: [] }], () => [], /activate instructions with an element that could not be found: 'nope'/],
    ['a start event', () => [{ elementId: 'start', variableInstructions: [] }], () => [], /unsupported: 'start'. The activation of elements with type 'START_EVENT' is not supported/],
    ['a boundary event', () => [{ elementId: 'late', variableInstructions: [] }], () => [], /The activation of elements with type 'BOUNDARY_EVENT' is not supported/],
    ['a sequence flow', () => [{ elementId: 'f1', variableInstructions: [] }], () => [], /The activation of elements with type 'SEQUENCE_FLOW' is not supported/],
    ['an unknown element instance to terminate', () => [{ elementId: 'B', variableInstructions: [] }], ({ a }) => [a, 123], /terminate instructions with an element instance that could not be found: '123'/],
    ['an unknown variable scope', () => [{ elementId: 'B', variableInstructions: [{ variables: { v: 1 }, scopeId: 'ghost' }] }], () => [], /scope element id that could not be found: 'ghost'/],
    ['a variable scope that is no flow scope of the element', () => [{ elementId: 'B', variableInstructions: [{ variables: { v: 1 }, scopeId: 'A' }] }], () => [], /doesn't belong to the activating element's flow scope/],
    ['an ancestor that does not exist', () => [{ elementId: 'B', ancestorElementInstanceKey: 77, variableInstructions: [] }], () => [], /ancestor scope key that does not exist, or is not in an active state: '77'/],
    ['an ancestor that is not a flow scope of the element', ({ a }) => [{ elementId: 'B', ancestorElementInstanceKey: a, variableInstructions: [] }], () => [], /instance '\d+' of element 'A' is not an ancestor of element 'B'/],
    ['an activation whose flow scope is terminated by the same command', () => [{ elementId: 'B', variableInstructions: [] }], ({ root }) => [root], /element 'B' requires flow scope instance '\d+' which is being terminated/],
  ];
  it.each(cases)('given %s, rejects the whole command with INVALID_ARGUMENT', async (_, activations, terminations, reason) => {
    const xml = definitions('r', `<bpmn:startEvent id="start"/>${serviceTask('A', 'a')}${serviceTask('B', 'b')}<bpmn:boundaryEvent id="late" attachedToRef="A"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="e"/>${flow('f1', 'start', 'A')}${flow('f2', 'late', 'e')}`);
    const engine = await engineWith(['r', xml]);
    const root = start(engine, 'r');
    const keys = { root: root.key, a: active(engine, root.key, 'A')[0]!.key };
    const before = snapshot(engine);
    const nextKey = engine.state.nextKey;
    expect(() => engine.modifyProcessInstance({ processInstanceKey: root.key, activateInstructions: activations(keys), terminateInstructions: terminations(keys).map((elementInstanceKey) => ({ elementInstanceKey })) })).toThrow(
      expect.objectContaining({ type: 'INVALID_ARGUMENT', message: expect.stringMatching(reason) }),
    );
    expect(snapshot(engine)).toBe(before);
    expect(engine.state.nextKey).toBe(nextKey);
  });

  it('given a catch event after an event-based gateway, rejects its activation', async () => {
    const xml = definitions(
      'ebg',
      `<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="g"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
       <bpmn:intermediateCatchEvent id="other"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>${flow('f1', 'start', 'g')}${flow('f2', 'g', 'wait')}${flow('f3', 'g', 'other')}`,
    );
    const engine = await engineWith(['ebg', xml]);
    const root = start(engine, 'ebg');
    expect(() => modify(engine, root.key, [{ elementId: 'wait' }])).toThrow(/unsupported: 'wait'. The activation of events belonging to an event-based gateway is not supported/);
  });

  it('given an element inside a multi-instance subprocess without an instance of it, rejects the activation', async () => {
    const xml = definitions(
      'misub',
      `<bpmn:startEvent id="start"/>${serviceTask('A', 'a')}
       <bpmn:subProcess id="each"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
         <bpmn:startEvent id="eachStart"/>${serviceTask('inner', 'inner')}${flow('e1', 'eachStart', 'inner')}
       </bpmn:subProcess>${flow('f1', 'start', 'A')}${flow('f2', 'A', 'each')}`,
    );
    const engine = await engineWith(['misub', xml]);
    const root = start(engine, 'misub');
    const before = snapshot(engine);
    expect(() => modify(engine, root.key, [{ elementId: 'inner' }])).toThrow(/activation of multi-instance element 'each', which is currently unsupported/);
    expect(snapshot(engine)).toBe(before);
  });

  it('given a boundary timer of a subprocess to create that cannot be evaluated, rejects the command before anything changes', async () => {
    const engine = await engineWith(['withsub', withSub]);
    const root = start(engine, 'withsub', {});
    const before = snapshot(engine);
    expect(() => modify(engine, root.key, [{ elementId: 'X' }])).toThrow(expect.objectContaining({ type: 'INVALID_ARGUMENT', message: expect.stringMatching(/^Expected to subscribe to catch event\(s\) of 'sub' but/) }));
    expect(snapshot(engine)).toBe(before);
    // with the variable given in the subprocess's scope it works
    modify(engine, root.key, [{ elementId: 'X', variableInstructions: [{ variables: { timeout: 'PT5M' }, scopeId: 'sub' }] }]);
    expect(active(engine, root.key, 'X')).toHaveLength(1);
  });

  it('given a process instance called by a call activity, rejects terminating its last element instance', async () => {
    const child = definitions('child', `<bpmn:startEvent id="cs"/>${serviceTask('C', 'c')}${flow('c1', 'cs', 'C')}`);
    const parent = definitions(
      'parent',
      `<bpmn:startEvent id="ps"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>${flow('p1', 'ps', 'call')}`,
    );
    const engine = await engineWith(['child', child], ['parent', parent]);
    const root = start(engine, 'parent');
    const called = [...engine.state.values('elements')].find((e) => e.parentProcessInstanceKey === root.key && e.flowScopeKey === undefined)!;
    const [c] = active(engine, called.key, 'C');
    const before = snapshot(engine);
    expect(() => modify(engine, called.key, [], [c!.key])).toThrow(/would terminate the instance. The instance was created by a call activity in the parent process/);
    expect(snapshot(engine)).toBe(before);
    // moving the token inside the child is fine
    modify(engine, called.key, [{ elementId: 'C' }], [c!.key]);
    expect(active(engine, called.key, 'C')).toHaveLength(1);
  });
});
