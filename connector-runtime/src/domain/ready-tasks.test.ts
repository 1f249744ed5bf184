import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acyclicPlanArbitrary, generatedPlanId } from './fixtures/plan-arbitraries';
import type { GraphTask } from './fixtures/plan-arbitraries';
import {
  allRequiredTasksDone,
  computeReadyTasks,
  dependenciesResolved,
  moreReadyTasks,
  parallelGroups,
  promoteReadyTasks,
  readyTasks,
  tasksToPromote,
} from './ready-tasks';
import { transition } from './task-state-machine';
import { fulfillmentPhases } from './vocabulary';
import type { FulfillmentPhase, FulfillmentTaskStatus } from './vocabulary';

const at = '2026-07-02T05:00:00Z';

function task(taskId: string, dependsOn: string[] = [], overrides: Partial<GraphTask> = {}): GraphTask {
  return {
    taskId,
    fulfillmentPlanId: generatedPlanId,
    dependsOn,
    phase: 'PROVISIONING',
    status: dependsOn.length === 0 ? 'READY' : 'PENDING',
    required: true,
    completedAt: null,
    ...overrides,
  };
}

/** Runs a task through the state machine to COMPLETED, the way a worker and a callback would. */
function complete(tasks: GraphTask[], taskId: string, path: 'sync' | 'async' = 'sync'): GraphTask[] {
  return tasks.map((candidate) => {
    if (candidate.taskId !== taskId) return candidate;
    const started = transition(candidate, 'IN_PROGRESS', { at });
    return path === 'sync' ? transition(started, 'COMPLETED', { at }) : transition(transition(started, 'WAITING', { at }), 'COMPLETED', { at });
  });
}

function setStatus(tasks: GraphTask[], taskId: string, status: FulfillmentTaskStatus): GraphTask[] {
  return tasks.map((candidate) => (candidate.taskId === taskId ? { ...candidate, status } : candidate));
}

const ids = (tasks: readonly { taskId: string }[]): string[] => tasks.map((candidate) => candidate.taskId);

describe('diamond dependencies (A -> B, A -> C, B + C -> D)', () => {
  const diamond = (): GraphTask[] => [task('A'), task('B', ['A']), task('C', ['A']), task('D', ['B', 'C'])];

  it('given a fresh plan, only A is ready and the parallel groups are A | B, C | D', () => {
    const tasks = diamond();
    expect(ids(readyTasks(tasks))).toEqual(['A']);
    expect(tasksToPromote(tasks)).toEqual([]);
    expect(parallelGroups(tasks)).toEqual({ groups: [['A'], ['B', 'C'], ['D']], blockedTaskIds: [] });
  });

  it('when A completes, B and C become ready together and D still waits', () => {
    const result = computeReadyTasks(complete(diamond(), 'A'), { at });
    expect(result.promotedTaskIds).toEqual(['B', 'C']);
    expect(result.readyTaskIds).toEqual(['B', 'C']);
    expect(result.moreReadyTasks).toBe(true);
    expect(result.parallelGroups).toEqual([['B', 'C'], ['D']]);
    expect(result.tasks.find((candidate) => candidate.taskId === 'D')?.status).toBe('PENDING');
  });

  it('when only B completes, D keeps waiting for C', () => {
    let tasks = computeReadyTasks(complete(diamond(), 'A'), { at }).tasks;
    tasks = complete(tasks, 'B');
    const result = computeReadyTasks(tasks, { at });
    expect(result.promotedTaskIds).toEqual([]);
    expect(result.readyTaskIds).toEqual(['C']);
    expect(dependenciesResolved(tasks.find((candidate) => candidate.taskId === 'D')!, tasks)).toBe(false);
  });

  it('when B completes and C is skipped with approval, D becomes ready', () => {
    let tasks = computeReadyTasks(complete(diamond(), 'A'), { at }).tasks;
    tasks = complete(tasks, 'B', 'async');
    tasks = setStatus(tasks, 'C', 'SKIPPED');
    const result = computeReadyTasks(tasks, { at });
    expect(result.readyTaskIds).toEqual(['D']);
  });

  it('when C failed, D is not offered and the plan is not done', () => {
    let tasks = computeReadyTasks(complete(diamond(), 'A'), { at }).tasks;
    tasks = complete(tasks, 'B');
    tasks = setStatus(tasks, 'C', 'FAILED');
    const result = computeReadyTasks(tasks, { at });
    expect(result.readyTaskIds).toEqual([]);
    expect(result.moreReadyTasks).toBe(false);
    expect(result.allRequiredTasksDone).toBe(false);
    expect(result.parallelGroups).toEqual([['C'], ['D']]);
  });

  it('when C was cancelled, D is blocked for good', () => {
    let tasks = computeReadyTasks(complete(diamond(), 'A'), { at }).tasks;
    tasks = setStatus(complete(tasks, 'B'), 'C', 'CANCELLED');
    expect(parallelGroups(tasks)).toEqual({ groups: [], blockedTaskIds: ['D'] });
  });

  it('when all four complete, every required task is done and nothing is left to run', () => {
    let tasks = diamond();
    for (const id of ['A', 'B', 'C', 'D']) tasks = computeReadyTasks(complete(tasks, id), { at }).tasks;
    expect(allRequiredTasksDone(tasks)).toBe(true);
    expect(moreReadyTasks(tasks)).toBe(false);
    expect(parallelGroups(tasks).groups).toEqual([]);
  });
});

describe('phases', () => {
  const phased = (): GraphTask[] => [
    task('check', [], { phase: 'VALIDATION' }),
    task('reserve', ['check'], { phase: 'RESERVATION' }),
    task('ship', ['check'], { phase: 'RESERVATION' }),
    task('provision', ['reserve'], { phase: 'PROVISIONING' }),
    task('notify', ['provision'], { phase: 'COMPLETION', required: false }),
  ];

  it('offers only the tasks of the requested phase', () => {
    let tasks = phased();
    expect(ids(readyTasks(tasks, { phase: 'RESERVATION' }))).toEqual([]);
    expect(moreReadyTasks(tasks, { phase: 'RESERVATION' })).toBe(false);
    tasks = complete(tasks, 'check');
    expect(moreReadyTasks(tasks, { phase: 'RESERVATION' })).toBe(true);
    const result = computeReadyTasks(tasks, { at }, { phase: 'RESERVATION' });
    expect(result.readyTaskIds).toEqual(['reserve', 'ship']);
    expect(result.parallelGroups).toEqual([['reserve', 'ship']]);
    expect(result.phaseDone).toBe(false);
  });

  it('promotes across the plan, so the next phase finds its first tasks READY', () => {
    let tasks = complete(phased(), 'check');
    tasks = complete(computeReadyTasks(tasks, { at }, { phase: 'RESERVATION' }).tasks, 'reserve');
    const result = computeReadyTasks(tasks, { at }, { phase: 'RESERVATION' });
    expect(result.promotedTaskIds).toEqual(['provision']);
    expect(result.readyTaskIds).toEqual(['ship']);
    expect(ids(readyTasks(result.tasks, { phase: 'PROVISIONING' }))).toEqual(['provision']);
  });

  it('counts a phase done when its required tasks are, ignoring optional ones elsewhere', () => {
    let tasks = phased();
    for (const id of ['check', 'reserve', 'ship', 'provision']) tasks = computeReadyTasks(complete(tasks, id), { at }).tasks;
    expect(allRequiredTasksDone(tasks, { phase: 'RESERVATION' })).toBe(true);
    expect(allRequiredTasksDone(tasks)).toBe(true);
    expect(ids(readyTasks(tasks, { phase: 'COMPLETION' }))).toEqual(['notify']);
  });
});

describe('guards', () => {
  it('never offers a READY task whose dependency moved away from COMPLETED', () => {
    const tasks = [task('A', [], { status: 'COMPENSATED' }), task('B', ['A'], { status: 'READY' })];
    expect(readyTasks(tasks)).toEqual([]);
  });

  it('never promotes a task that depends on an unknown task', () => {
    const tasks = [task('A', ['ghost'])];
    expect(tasksToPromote(tasks)).toEqual([]);
    expect(parallelGroups(tasks)).toEqual({ groups: [], blockedTaskIds: ['A'] });
  });

  it('promotes through the state machine, leaving other tasks untouched', () => {
    const tasks = [task('A', [], { status: 'COMPLETED' }), task('B', ['A']), task('C', ['B'])];
    const result = promoteReadyTasks(tasks, { at });
    expect(result.promotedTaskIds).toEqual(['B']);
    expect(result.tasks.map((candidate) => candidate.status)).toEqual(['COMPLETED', 'READY', 'PENDING']);
    expect(result.tasks[0]).toBe(tasks[0]);
  });
});

/** How a simulated worker finishes a task; every path goes through the state machine. */
type Finish = 'sync' | 'async' | 'retry-then-complete';

function finish(tasks: GraphTask[], taskId: string, how: Finish): GraphTask[] {
  if (how !== 'retry-then-complete') return complete(tasks, taskId, how);
  const failed = tasks.map((candidate) =>
    candidate.taskId === taskId ? transition(transition(candidate, 'IN_PROGRESS', { at }), 'FAILED', { at }) : candidate,
  );
  const retried = failed.map((candidate) => (candidate.taskId === taskId ? transition(candidate, 'READY', { at }) : candidate));
  return complete(retried, taskId);
}

describe('properties of random acyclic plans', () => {
  const choices = fc.array(fc.tuple(fc.nat(), fc.constantFrom<Finish>('sync', 'async', 'retry-then-complete')), { minLength: 1, maxLength: 80 });

  it('never offers a task whose dependencies are not all COMPLETED or SKIPPED', () => {
    fc.assert(
      fc.property(acyclicPlanArbitrary(), choices, fc.option(fc.constantFrom(...fulfillmentPhases), { nil: undefined }), (plan, picks, phase) => {
        let tasks = plan;
        for (const [pick, how] of picks) {
          const result = computeReadyTasks(tasks, { at }, { phase });
          const statusOf = new Map(result.tasks.map((candidate) => [candidate.taskId, candidate.status]));
          for (const offered of result.tasks.filter((candidate) => result.readyTaskIds.includes(candidate.taskId))) {
            for (const dependency of offered.dependsOn) expect(['COMPLETED', 'SKIPPED']).toContain(statusOf.get(dependency));
            if (phase !== undefined) expect(offered.phase).toBe(phase);
          }
          // Tasks in one parallel group never depend on each other.
          for (const group of result.parallelGroups) {
            for (const member of result.tasks.filter((candidate) => group.includes(candidate.taskId))) {
              expect(member.dependsOn.filter((dependency) => group.includes(dependency))).toEqual([]);
            }
          }
          if (result.readyTaskIds.length === 0) break;
          tasks = finish(result.tasks, result.readyTaskIds[pick % result.readyTaskIds.length]!, how);
        }
      }),
    );
  });

  it('finishes every acyclic plan, whatever the order in which ready tasks complete', () => {
    fc.assert(
      fc.property(acyclicPlanArbitrary(), fc.infiniteStream(fc.nat()), (plan, picks) => {
        let tasks = plan;
        const pick = picks[Symbol.iterator]();
        for (let step = 0; step <= plan.length; step += 1) {
          const result = computeReadyTasks(tasks, { at });
          if (!result.moreReadyTasks) break;
          tasks = complete(result.tasks, result.readyTaskIds[pick.next().value % result.readyTaskIds.length]!);
        }
        expect(tasks.map((candidate) => candidate.status)).toEqual(plan.map(() => 'COMPLETED'));
        expect(allRequiredTasksDone(tasks)).toBe(true);
        expect(parallelGroups(tasks)).toEqual({ groups: [], blockedTaskIds: [] });
      }),
    );
  });

  it('finishes every acyclic plan when run phase by phase, as the process model does', () => {
    fc.assert(
      fc.property(acyclicPlanArbitrary(), fc.infiniteStream(fc.nat()), (plan, picks) => {
        let tasks = plan;
        const pick = picks[Symbol.iterator]();
        const finishedIn: FulfillmentPhase[] = [];
        for (const phase of fulfillmentPhases) {
          for (let step = 0; step <= plan.length; step += 1) {
            const result = computeReadyTasks(tasks, { at }, { phase });
            tasks = result.tasks;
            if (!result.moreReadyTasks) break;
            tasks = complete(tasks, result.readyTaskIds[pick.next().value % result.readyTaskIds.length]!);
          }
          // A phase the loop leaves must be done, or the process would move on with work undone.
          expect(tasks.filter((candidate) => candidate.phase === phase && candidate.status !== 'COMPLETED')).toEqual([]);
          finishedIn.push(phase);
        }
        expect(finishedIn).toEqual([...fulfillmentPhases]);
        expect(tasks.every((candidate) => candidate.status === 'COMPLETED')).toBe(true);
      }),
    );
  });
});
