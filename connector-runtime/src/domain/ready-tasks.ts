/**
 * Ready-task computation and dependency resolution (seed §7, §12, §27). The process runs one phase
 * at a time (docs/architecture.md §7): it asks for the ready tasks of the phase, runs them in parallel, applies the
 * results and asks again while `moreReadyTasks` is true.
 *
 * A dependency is resolved when its task is COMPLETED or SKIPPED (a skip is an approved decision
 * that the work is not needed). Anything else, FAILED included, keeps dependents waiting.
 */
import type { TaskNode } from './fulfillment-plan';
import { dependencyResolvingStatuses, transition } from './task-state-machine';
import type { TaskTransitionContext, TransitionableTask } from './task-state-machine';
import type { FulfillmentPhase, FulfillmentTaskStatus } from './vocabulary';

/** Optional restriction to one phase. */
export interface PhaseFilter {
  phase?: FulfillmentPhase;
}

/** Statuses from which a task will never resolve a dependency. */
const deadStatuses: readonly FulfillmentTaskStatus[] = ['CANCELLED', 'COMPENSATED'];

const isResolved = (status: FulfillmentTaskStatus): boolean => dependencyResolvingStatuses.includes(status);

function statusLookup(tasks: readonly TaskNode[]): (taskId: string) => FulfillmentTaskStatus | undefined {
  const statuses = new Map(tasks.map((task) => [task.taskId, task.status]));
  return (taskId) => statuses.get(taskId);
}

function inPhase(task: TaskNode, filter: PhaseFilter): boolean {
  return filter.phase === undefined || task.phase === filter.phase;
}

/** True when every dependency of `task` is COMPLETED or SKIPPED (an unknown one never is). */
export function dependenciesResolved(task: TaskNode, tasks: readonly TaskNode[]): boolean {
  const statusOf = statusLookup(tasks);
  return task.dependsOn.every((id) => {
    const status = statusOf(id);
    return status !== undefined && isResolved(status);
  });
}

/** Ids of PENDING tasks whose dependencies are all resolved: they may move to READY now. */
export function tasksToPromote(tasks: readonly TaskNode[], filter: PhaseFilter = {}): string[] {
  const statusOf = statusLookup(tasks);
  const resolved = (id: string): boolean => {
    const status = statusOf(id);
    return status !== undefined && isResolved(status);
  };
  return tasks.filter((task) => task.status === 'PENDING' && inPhase(task, filter) && task.dependsOn.every(resolved)).map((task) => task.taskId);
}

/**
 * Moves every promotable PENDING task to READY through the task state machine and returns the
 * updated list (same order) with the promoted ids. Without a phase filter, tasks of later phases are
 * promoted too: READY means "may start", the phase decides "when".
 */
export function promoteReadyTasks<T extends TaskNode & TransitionableTask>(
  tasks: readonly T[],
  context: TaskTransitionContext,
  filter: PhaseFilter = {},
): { tasks: T[]; promotedTaskIds: string[] } {
  const promotedTaskIds = tasksToPromote(tasks, filter);
  const promoted = new Set(promotedTaskIds);
  return {
    tasks: tasks.map((task) => (promoted.has(task.taskId) ? transition(task, 'READY', context) : task)),
    promotedTaskIds,
  };
}

/**
 * Tasks that may be started now: READY, in the phase if one is given, and with every dependency
 * resolved. The last check guards against a dependency that moved on since the task became READY
 * (a COMPLETED dependency that was COMPENSATED).
 */
export function readyTasks<T extends TaskNode>(tasks: readonly T[], filter: PhaseFilter = {}): T[] {
  const statusOf = statusLookup(tasks);
  return tasks.filter(
    (task) =>
      task.status === 'READY' &&
      inPhase(task, filter) &&
      task.dependsOn.every((id) => {
        const status = statusOf(id);
        return status !== undefined && isResolved(status);
      }),
  );
}

/** True when a task of the phase can be started now or right after promotion (the loop goes on). */
export function moreReadyTasks(tasks: readonly TaskNode[], filter: PhaseFilter = {}): boolean {
  return readyTasks(tasks, filter).length > 0 || tasksToPromote(tasks, filter).length > 0;
}

/** True when every required task (of the phase, if given) is COMPLETED or SKIPPED. */
export function allRequiredTasksDone(tasks: readonly TaskNode[], filter: PhaseFilter = {}): boolean {
  return tasks.every((task) => !task.required || !inPhase(task, filter) || isResolved(task.status));
}

/**
 * Waves of tasks that can run concurrently: the first wave can start now, each later wave once the
 * waves before it are done. Finished tasks (COMPLETED, SKIPPED) are left out; tasks that can never
 * start (a dependency CANCELLED, COMPENSATED, unknown or in a cycle) are `blockedTaskIds`. With a
 * phase filter, only the phase's tasks are listed, at the wave they would reach across the plan.
 */
export function parallelGroups(tasks: readonly TaskNode[], filter: PhaseFilter = {}): { groups: string[][]; blockedTaskIds: string[] } {
  const statusOf = statusLookup(tasks);
  const open = tasks.filter((task) => !isResolved(task.status) && !deadStatuses.includes(task.status));
  const waveOf = new Map<string, number>();
  let remaining = open;
  for (let wave = 0; remaining.length > 0; wave += 1) {
    const placed = remaining.filter((task) =>
      task.dependsOn.every((id) => {
        const status = statusOf(id);
        if (status === undefined) return false;
        if (isResolved(status)) return true;
        const dependencyWave = waveOf.get(id);
        return dependencyWave !== undefined && dependencyWave < wave;
      }),
    );
    if (placed.length === 0) break;
    for (const task of placed) waveOf.set(task.taskId, wave);
    remaining = remaining.filter((task) => !waveOf.has(task.taskId));
  }
  const groups: string[][] = [];
  for (const task of open) {
    const wave = waveOf.get(task.taskId);
    if (wave === undefined || !inPhase(task, filter)) continue;
    (groups[wave] ??= []).push(task.taskId);
  }
  return {
    groups: groups.filter((group) => group !== undefined && group.length > 0),
    blockedTaskIds: open.filter((task) => !waveOf.has(task.taskId) && inPhase(task, filter)).map((task) => task.taskId),
  };
}

/** What the load / apply-result workers return to the process (seed §5, §7). */
export interface ReadyTaskComputation<T> {
  /** The tasks after promotion, in the input order. */
  tasks: T[];
  promotedTaskIds: string[];
  readyTaskIds: string[];
  moreReadyTasks: boolean;
  /** Every required task of the phase (or plan, without a filter) is done. */
  phaseDone: boolean;
  /** Every required task of the whole plan is done. */
  allRequiredTasksDone: boolean;
  parallelGroups: string[][];
  blockedTaskIds: string[];
}

/**
 * One step of dependency resolution: promote what became ready (whole plan, so a later phase finds
 * its first tasks READY), then report the ready tasks of the phase and the loop flags.
 */
export function computeReadyTasks<T extends TaskNode & TransitionableTask>(
  tasks: readonly T[],
  context: TaskTransitionContext,
  filter: PhaseFilter = {},
): ReadyTaskComputation<T> {
  const promotion = promoteReadyTasks(tasks, context);
  const ready = readyTasks(promotion.tasks, filter);
  const groups = parallelGroups(promotion.tasks, filter);
  return {
    tasks: promotion.tasks,
    promotedTaskIds: promotion.promotedTaskIds,
    readyTaskIds: ready.map((task) => task.taskId),
    moreReadyTasks: ready.length > 0,
    phaseDone: allRequiredTasksDone(promotion.tasks, filter),
    allRequiredTasksDone: allRequiredTasksDone(promotion.tasks),
    parallelGroups: groups.groups,
    blockedTaskIds: groups.blockedTaskIds,
  };
}
