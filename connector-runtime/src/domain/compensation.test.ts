import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../errors';
import { defaultCatalog } from './catalog-default';
import { planCompensation } from './compensation';
import type { CompensationCandidate } from './compensation';
import { decompose } from './decomposition';
import { acyclicPlanArbitrary } from './fixtures/plan-arbitraries';
import bundleOrder from './fixtures/broadband-bundle.order.json' with { type: 'json' };
import type { FulfillmentPlan, FulfillmentTask } from './fulfillment-plan';
import { sequentialIdFactory } from './id-factory';
import { parseOrder } from './order';
import { computeReadyTasks } from './ready-tasks';
import { snapshotHash } from './snapshot-hash';
import { transition } from './task-state-machine';
import type { FulfillmentTaskStatus } from './vocabulary';

const fiber = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0002';
const router = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0003';
const staticIp = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0004';
const minute = (n: number): string => new Date(Date.UTC(2026, 6, 2, 5, n)).toISOString();

/**
 * The broadband plan part-way through: the line is provisioned, the router delivered, billing was
 * requested (WAITING), the static IP's provisioning failed.
 */
function partlyFulfilled(): FulfillmentPlan {
  const plan = decompose(parseOrder(bundleOrder), defaultCatalog, { idFactory: sequentialIdFactory(0xc0) });
  const states: [string, string, FulfillmentTaskStatus, number?][] = [
    [fiber, 'serviceability', 'COMPLETED', 1],
    [fiber, 'reserve-resource', 'COMPLETED', 2],
    [router, 'schedule-shipment', 'COMPLETED', 3],
    [staticIp, 'reserve-ip', 'COMPLETED', 4],
    [fiber, 'provisioning', 'COMPLETED', 5],
    [router, 'confirm-shipment', 'COMPLETED', 6],
    [fiber, 'billing', 'WAITING'],
    [staticIp, 'provisioning', 'FAILED'],
  ];
  const tasks = plan.tasks.map((task): FulfillmentTask => {
    const state = states.find(([item, template]) => item === task.orderItemId && template === task.templateId);
    if (!state) return task;
    return { ...task, status: state[2], completedAt: state[3] === undefined ? null : minute(state[3]) };
  });
  return { ...plan, tasks };
}

const templateOf = (plan: FulfillmentPlan, taskId: string): string => {
  const task = plan.tasks.find((candidate) => candidate.taskId === taskId)!;
  return `${String(task.inputSnapshot.productCode)}/${task.templateId}`;
};

describe('compensation planning', () => {
  it('undoes completed compensatable tasks in reverse completion order', () => {
    const plan = partlyFulfilled();
    const compensation = planCompensation(plan, { reason: 'order cancelled by customer', idFactory: sequentialIdFactory(0xcc) });
    expect(compensation.steps.map((step) => [templateOf(plan, step.compensatesTaskId), step.taskType, step.sequence])).toEqual([
      ['FIBER-500/provisioning', 'DEACTIVATE_SERVICE', 1],
      ['STATIC-IP/reserve-ip', 'RELEASE_RESOURCE', 2],
      ['ROUTER-WIFI6/schedule-shipment', 'CANCEL_SHIPMENT', 3],
      ['FIBER-500/reserve-resource', 'RELEASE_RESOURCE', 4],
    ]);
    expect(compensation.steps[0]).toMatchObject({
      // Id 2 went to the delivered router's manual review, which completed last.
      compensationTaskId: '000000cc-0000-4000-8000-000000000003',
      executionMode: 'COMPENSATION',
      ownerSystem: 'provisioning-adapter',
      status: 'PLANNED',
      compensatedTaskType: 'CREATE_PROVISIONING_REQUEST',
      orderItemId: fiber,
    });
    expect(compensation).toMatchObject({ compensationPlanId: '000000cc-0000-4000-8000-000000000001', status: 'PLANNED', reason: 'order cancelled by customer' });
  });

  it('sends a non-reversible completed task to manual review instead of undoing it', () => {
    const plan = partlyFulfilled();
    const compensation = planCompensation(plan, { reason: 'cancel', idFactory: sequentialIdFactory() });
    expect(compensation.manualReview.map((item) => [templateOf(plan, item.taskId), item.reason, item.status])).toEqual([
      ['ROUTER-WIFI6/confirm-shipment', 'NOT_REVERSIBLE', 'MANUAL_REVIEW'],
    ]);
    expect(compensation.manualReview[0]!.compensationTaskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(compensation.steps.map((step) => step.compensatesTaskId)).not.toContain(compensation.manualReview[0]!.taskId);
  });

  it('never compensates a task that did not complete, nor one that is not compensatable', () => {
    const plan = partlyFulfilled();
    const compensation = planCompensation(plan, { reason: 'cancel', idFactory: sequentialIdFactory() });
    const planned = new Set([...compensation.steps.map((step) => step.compensatesTaskId), ...compensation.manualReview.map((item) => item.taskId)]);
    for (const task of plan.tasks.filter((candidate) => candidate.status !== 'COMPLETED')) expect(planned.has(task.taskId)).toBe(false);
    const reasons = Object.fromEntries(compensation.excluded.map((exclusion) => [templateOf(plan, exclusion.taskId), exclusion.reason]));
    expect(reasons['FIBER-500/serviceability']).toBe('NOT_COMPENSATABLE');
    expect(reasons['FIBER-500/billing']).toBe('NOT_COMPLETED');
    expect(reasons['STATIC-IP/provisioning']).toBe('NOT_COMPLETED');
    expect(compensation.excluded).toHaveLength(plan.tasks.length - 5);
  });

  it('skips tasks already compensated, so planning again after a partial run is safe', () => {
    const plan = partlyFulfilled();
    const provisioning = plan.tasks.find((task) => task.orderItemId === fiber && task.templateId === 'provisioning')!;
    const again = {
      ...plan,
      tasks: plan.tasks.map((task) => (task.taskId === provisioning.taskId ? transition(task, 'COMPENSATED', { at: minute(30) }) : task)),
    };
    const compensation = planCompensation(again, { reason: 'cancel', idFactory: sequentialIdFactory() });
    expect(compensation.steps.map((step) => step.compensatesTaskId)).not.toContain(provisioning.taskId);
    expect(compensation.excluded.find((exclusion) => exclusion.taskId === provisioning.taskId)?.reason).toBe('ALREADY_COMPENSATED');
  });

  it('reports tasks still in progress, whose effect may not be known yet', () => {
    const plan = partlyFulfilled();
    const inProgress = plan.tasks.find((task) => task.status === 'PENDING')!;
    const tasks = plan.tasks.map((task) => (task.taskId === inProgress.taskId ? { ...task, status: 'IN_PROGRESS' as const } : task));
    expect(planCompensation({ ...plan, tasks }, { reason: 'cancel', idFactory: sequentialIdFactory() }).inFlightTaskIds).toEqual([inProgress.taskId]);
  });

  it('hashes what each step undoes', () => {
    const plan = partlyFulfilled();
    const [step] = planCompensation(plan, { reason: 'cancel', idFactory: sequentialIdFactory() }).steps;
    const original = plan.tasks.find((task) => task.taskId === step!.compensatesTaskId)!;
    expect(step!.inputSnapshotHash).toBe(
      snapshotHash({ compensatesTaskId: original.taskId, compensatedInputSnapshotHash: original.inputSnapshotHash, taskType: 'DEACTIVATE_SERVICE' }),
    );
  });

  it('has nothing to do for a plan where nothing completed', () => {
    const plan = decompose(parseOrder(bundleOrder), defaultCatalog, { idFactory: sequentialIdFactory() });
    const compensation = planCompensation(plan, { reason: 'cancel', idFactory: sequentialIdFactory() });
    expect(compensation).toMatchObject({ status: 'COMPLETED', steps: [], manualReview: [] });
  });

  it('is MANUAL_REVIEW when only people can undo what was done', () => {
    const task: CompensationCandidate = {
      taskId: 'a',
      orderItemId: router,
      taskType: 'CONFIRM_SHIPMENT',
      ownerSystem: 'shipping-adapter',
      status: 'COMPLETED',
      completedAt: minute(1),
      compensationPolicy: { compensatable: true, reversible: false },
      dependsOn: [],
      inputSnapshotHash: snapshotHash({}),
    };
    expect(planCompensation({ fulfillmentPlanId: 'p', tasks: [task] }, { reason: 'x', idFactory: sequentialIdFactory() }).status).toBe('MANUAL_REVIEW');
  });

  it('refuses a completed task without a completion time, which it could not order', () => {
    const task: CompensationCandidate = {
      taskId: 'a',
      orderItemId: fiber,
      taskType: 'RESERVE_RESOURCE',
      ownerSystem: 'inventory-adapter',
      status: 'COMPLETED',
      completedAt: null,
      compensationPolicy: { compensatable: true, compensationTaskType: 'RELEASE_RESOURCE' },
      dependsOn: [],
      inputSnapshotHash: snapshotHash({}),
    };
    expect(() => planCompensation({ fulfillmentPlanId: 'p', tasks: [task, { ...task, taskId: 'b' }] }, { reason: 'x', idFactory: sequentialIdFactory() })).toThrow(
      BugError,
    );
  });
});

describe('compensation order properties', () => {
  it('undoes in exact reverse completion order, and a dependent before what it depends on, even when completion times tie', () => {
    fc.assert(
      fc.property(acyclicPlanArbitrary(), fc.infiniteStream(fc.nat()), fc.integer({ min: 1, max: 3 }), (graph, picks, tick) => {
        let tasks = graph.map(
          (node): CompensationCandidate & { phase: FulfillmentTask['phase']; required: boolean } => ({
            ...node,
            orderItemId: fiber,
            taskType: 'RESERVE_RESOURCE',
            ownerSystem: 'inventory-adapter',
            compensationPolicy: { compensatable: true, compensationTaskType: 'RELEASE_RESOURCE' },
            inputSnapshotHash: snapshotHash({ taskId: node.taskId }),
          }),
        );
        const completionOrder: string[] = [];
        const pick = picks[Symbol.iterator]();
        for (let step = 0; step <= graph.length; step += 1) {
          const result = computeReadyTasks(tasks, { at: minute(0) });
          if (result.readyTaskIds.length === 0) break;
          const chosen = result.readyTaskIds[pick.next().value % result.readyTaskIds.length]!;
          // Several completions per clock tick, so ties are common.
          const at = minute(Math.floor(step / tick));
          tasks = result.tasks.map((task) => (task.taskId === chosen ? transition(transition(task, 'IN_PROGRESS', { at }), 'COMPLETED', { at }) : task));
          completionOrder.push(chosen);
        }
        const steps = planCompensation({ fulfillmentPlanId: 'p', tasks }, { reason: 'x', idFactory: sequentialIdFactory() }).steps;
        const undone = steps.map((step) => step.compensatesTaskId);
        expect([...undone].sort()).toEqual([...completionOrder].sort());
        const position = new Map(undone.map((id, index) => [id, index]));
        for (const task of tasks) {
          for (const dependency of task.dependsOn) expect(position.get(task.taskId)!).toBeLessThan(position.get(dependency)!);
        }
        if (tick === 1) expect(undone).toEqual([...completionOrder].reverse());
      }),
    );
  });
});
