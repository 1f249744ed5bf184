/**
 * Migration rules on an in-memory engine (no PostgreSQL), per
 * docs.camunda.io/docs/8.8/components/concepts/process-instance-migration/ (#dealing-with-catch-events,
 * #migrating-joining-parallel-and-inclusive-gateways, #limitations) and Zeebe 8.8's
 * `ProcessInstanceMigrationPreconditions` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from '../../../test/fixtures';
import { ManualClock } from '../../clock';
import { Engine } from '../../engine';
import type { ElementInstanceRecord } from '../../state/records';

let clock: ManualClock;
let engine: Engine;

beforeEach(() => {
  clock = new ManualClock();
  engine = new Engine(clock, undefined);
});

async function deploy(processId: string, content: string) {
  const result = await engine.deploy([{ name: `${processId}.bpmn`, content: Buffer.from(definitions(processId, content)) }], '<default>');
  return result.processes.find((p) => p.deploymentKey === result.key)!;
}

function active(root: ElementInstanceRecord, elementId: string) {
  return [...engine.state.values('elements')].find((e) => e.processInstanceKey === root.key && e.elementId === elementId && engine.interpreter.isActive(e));
}

const timerBoundary = (id: string, duration: string, attachedTo = 'task') =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="${id}End"/>${flow(`${id}Flow`, id, `${id}End`)}`;
const oneTask = (extra = '') => `<bpmn:startEvent id="start"/>${serviceTask('task', 'work')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'task')}${flow('f2', 'task', 'end')}${extra}`;

describe('catch events', () => {
  it('given a mapped timer boundary event, keeps the timer and its due date', async () => {
    const v1 = await deploy('p', oneTask(timerBoundary('t1', 'PT1H')));
    const v2 = await deploy('p', oneTask(timerBoundary('t2', 'PT2H')));
    const root = engine.createProcessInstance(v1, {});
    clock.advance(600_000);
    const [before] = [...engine.state.values('timers')];

    engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }, { sourceElementId: 't1', targetElementId: 't2' }] });

    const timers = [...engine.state.values('timers')];
    expect(timers).toHaveLength(1);
    expect(timers[0]).toMatchObject({ key: before!.key, dueDate: before!.dueDate, catchElementId: 't2' });
  });

  it('given an unmapped timer boundary event, closes it and opens the target one anew', async () => {
    const v1 = await deploy('p', oneTask(timerBoundary('t1', 'PT1H')));
    const v2 = await deploy('p', oneTask(timerBoundary('t2', 'PT2H')));
    const root = engine.createProcessInstance(v1, {});
    clock.advance(600_000);
    const [before] = [...engine.state.values('timers')];

    engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] });

    const timers = [...engine.state.values('timers')];
    expect(timers).toHaveLength(1);
    expect(timers[0]!.key).not.toBe(before!.key);
    expect(timers[0]).toMatchObject({ catchElementId: 't2', dueDate: clock.now() + 7_200_000 });
    expect(active(root, 'task')!.timerKeys).toEqual([timers[0]!.key]);
  });

  it('rejects a mapping that detaches a boundary event from its activity', async () => {
    const v1 = await deploy('p', oneTask(timerBoundary('t1', 'PT1H')));
    const v2 = await deploy('p', `${oneTask()}${serviceTask('other', 'other')}${timerBoundary('t2', 'PT1H', 'other')}`);
    const root = engine.createProcessInstance(v1, {});
    expect(() =>
      engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }, { sourceElementId: 't1', targetElementId: 't2' }] }),
    ).toThrow(/These mappings detach the catch event from the element in the target process/);
  });

  it('given a target catch event whose expression fails, rejects and changes nothing', async () => {
    const v1 = await deploy('p', oneTask());
    const v2 = await deploy('p', oneTask(timerBoundary('t2', '=missing.duration')));
    const root = engine.createProcessInstance(v1, {});
    engine.state.takeChanges();

    expect(() => engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] })).toThrow(
      expect.objectContaining({ type: 'INVALID_STATE' }),
    );
    expect(engine.state.hasChanges()).toBe(false);
    expect(root.processDefinitionKey).toBe(v1.key);
  });
});

describe('multi-instance and gateways', () => {
  const multi = (sequential: boolean, type = 'work') =>
    `<bpmn:startEvent id="start"/><bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="${type}"/></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask><bpmn:endEvent id="end"/>${flow('f1', 'start', 'task')}${flow('f2', 'task', 'end')}`;

  it('migrates a multi-instance body with its inner instances', async () => {
    const v1 = await deploy('p', multi(false));
    const v2 = await deploy('p', multi(false, 'work-2'));
    const root = engine.createProcessInstance(v1, {});
    engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] });
    const migrated = [...engine.state.values('elements')].filter((e) => e.flowScopeKey !== undefined && engine.interpreter.isActive(e));
    expect(migrated).toHaveLength(3);
    expect(migrated.every((e) => e.processDefinitionKey === v2.key)).toBe(true);
    expect([...engine.state.values('jobs')].every((j) => j.processDefinitionKey === v2.key && j.processDefinitionVersion === 2)).toBe(true);
  });

  it('rejects a parallel multi-instance body mapped to a sequential one', async () => {
    const v1 = await deploy('p', multi(false));
    const v2 = await deploy('p', multi(true));
    const root = engine.createProcessInstance(v1, {});
    expect(() => engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'task', targetElementId: 'task' }] })).toThrow(
      /Both elements must have either sequential or parallel loop characteristics/,
    );
  });

  it('moves the tokens waiting at a joining parallel gateway along mapped flows', async () => {
    const forkJoin = (extra: string, joinFlows: string) =>
      `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>${serviceTask('a', 'a')}${serviceTask('b', 'b')}${extra}<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>${flow('f0', 'start', 'fork')}${flow('fa', 'fork', 'a')}${flow('fb', 'fork', 'b')}${joinFlows}${flow('fe', 'join', 'end')}`;
    const v1 = await deploy('p', forkJoin('', `${flow('a1', 'a', 'join')}${flow('b1', 'b', 'join')}`));
    const v2 = await deploy('p', forkJoin(serviceTask('c', 'c'), `${flow('a2', 'a', 'join2')}${flow('b2', 'b', 'join2')}${flow('fc', 'fork', 'c')}${flow('c2', 'c', 'join2')}`.replace(/join2/g, 'join')));
    const root = engine.createProcessInstance(v1, {});
    const jobA = [...engine.state.values('jobs')].find((j) => j.type === 'a')!;
    engine.completeJob(jobA.key, {});
    expect(root.joins).toEqual({ join: { a1: 1 } });

    expect(() => engine.migrateProcessInstance({ processInstanceKey: root.key, targetProcessDefinitionKey: v2.key, mappingInstructions: [{ sourceElementId: 'b', targetElementId: 'b' }] })).toThrow(
      /no mapping instruction defined for active element with id 'join'/,
    );
    engine.migrateProcessInstance({
      processInstanceKey: root.key,
      targetProcessDefinitionKey: v2.key,
      mappingInstructions: [
        { sourceElementId: 'b', targetElementId: 'b' },
        { sourceElementId: 'join', targetElementId: 'join' },
        { sourceElementId: 'a1', targetElementId: 'a2' },
      ],
    });
    expect(root.joins).toEqual({ join: { a2: 1 } });
  });
});
