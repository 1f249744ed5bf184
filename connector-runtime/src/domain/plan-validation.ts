/**
 * Structural validation of a fulfillment plan's task graph (seed §7: the load worker verifies the
 * plan before the process runs it). A plan that fails here would deadlock or run tasks out of
 * order, so it is refused as a whole with a reason that names the tasks involved.
 *
 * An edge "A -> B" below means "A depends on B" (A waits for B).
 */
import { BusinessError } from '../errors';
import type { FulfillmentTask } from './fulfillment-plan';
import { fulfillmentPhases } from './vocabulary';

/** The task fields validation reads. */
export type PlanGraphTask = Pick<FulfillmentTask, 'taskId' | 'fulfillmentPlanId' | 'dependsOn' | 'phase'> & { taskType?: string };

/** A plan as validation sees it. */
export interface PlanGraph {
  fulfillmentPlanId: string;
  tasks: readonly PlanGraphTask[];
}

/** Codes of {@link PlanViolation}. */
export const planViolationCodes = [
  'EMPTY_PLAN',
  'DUPLICATE_TASK_ID',
  'FOREIGN_TASK',
  'UNKNOWN_DEPENDENCY',
  'SELF_DEPENDENCY',
  'DUPLICATE_DEPENDENCY',
  'CROSS_PLAN_DEPENDENCY',
  'PHASE_ORDER',
  'CYCLE',
] as const;
/** See {@link planViolationCodes}. */
export type PlanViolationCode = (typeof planViolationCodes)[number];

/** One structural problem, naming the tasks involved. */
export interface PlanViolation {
  code: PlanViolationCode;
  taskIds: string[];
  message: string;
}

/** Outcome of {@link validatePlan}. */
export type PlanValidationResult =
  | { valid: true; violations: [] }
  | { valid: false; violations: PlanViolation[]; reason: string };

/** Tasks known to belong to other plans, so a dependency on one is named as such. */
export interface PlanValidationContext {
  otherPlanTasks?: Iterable<{ taskId: string; fulfillmentPlanId: string }>;
}

const phaseIndex = (phase: string): number => fulfillmentPhases.indexOf(phase as (typeof fulfillmentPhases)[number]);

/**
 * Strongly connected components (Tarjan), iterative so a long chain cannot overflow the stack.
 * Returns the components in an order that is deterministic for a given task order.
 */
function stronglyConnectedComponents(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter);
    counter += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const successors = edges.get(frame.id) ?? [];
      if (frame.next < successors.length) {
        const successor = successors[frame.next]!;
        frame.next += 1;
        if (!index.has(successor)) {
          index.set(successor, counter);
          low.set(successor, counter);
          counter += 1;
          stack.push(successor);
          onStack.add(successor);
          work.push({ id: successor, next: 0 });
        } else if (onStack.has(successor)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(successor)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}

/** A shortest cycle through `start` inside `members` (breadth-first), as a closed path. */
function cycleThrough(start: string, members: ReadonlySet<string>, edges: ReadonlyMap<string, readonly string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const current = queue[head]!;
    for (const successor of edges.get(current) ?? []) {
      if (!members.has(successor)) continue;
      if (successor === start) {
        const path = [current];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(successor) && successor !== start) {
        previous.set(successor, current);
        queue.push(successor);
      }
    }
  }
  return [start, start];
}

/**
 * Checks the plan's task graph: no tasks, duplicate task ids, tasks of another plan, dependencies
 * that are unknown, on the task itself, repeated, on another plan's task, on a task of a later
 * phase (the process runs phase after phase, so such a task would never become ready) and cycles.
 */
export function validatePlan(plan: PlanGraph, context: PlanValidationContext = {}): PlanValidationResult {
  const violations: PlanViolation[] = [];
  const byId = new Map<string, PlanGraphTask>();
  const label = (taskId: string): string => {
    const taskType = byId.get(taskId)?.taskType;
    return taskType ? `${taskId} (${taskType})` : taskId;
  };
  if (plan.tasks.length === 0) {
    violations.push({ code: 'EMPTY_PLAN', taskIds: [], message: `plan ${plan.fulfillmentPlanId} has no tasks` });
  }
  for (const task of plan.tasks) {
    if (byId.has(task.taskId)) {
      violations.push({ code: 'DUPLICATE_TASK_ID', taskIds: [task.taskId], message: `task id ${task.taskId} appears more than once` });
    } else {
      byId.set(task.taskId, task);
    }
    if (task.fulfillmentPlanId !== plan.fulfillmentPlanId) {
      violations.push({
        code: 'FOREIGN_TASK',
        taskIds: [task.taskId],
        message: `task ${label(task.taskId)} belongs to plan ${task.fulfillmentPlanId}, not ${plan.fulfillmentPlanId}`,
      });
    }
  }
  const otherPlanOf = new Map<string, string>();
  for (const other of context.otherPlanTasks ?? []) {
    if (other.fulfillmentPlanId !== plan.fulfillmentPlanId) otherPlanOf.set(other.taskId, other.fulfillmentPlanId);
  }

  const edges = new Map<string, string[]>();
  for (const task of byId.values()) {
    const targets: string[] = [];
    const seen = new Set<string>();
    for (const dependencyId of task.dependsOn) {
      if (seen.has(dependencyId)) {
        violations.push({ code: 'DUPLICATE_DEPENDENCY', taskIds: [task.taskId, dependencyId], message: `${label(task.taskId)} lists ${dependencyId} twice` });
        continue;
      }
      seen.add(dependencyId);
      if (dependencyId === task.taskId) {
        violations.push({ code: 'SELF_DEPENDENCY', taskIds: [task.taskId], message: `${label(task.taskId)} depends on itself` });
        continue;
      }
      const target = byId.get(dependencyId);
      if (!target) {
        const otherPlan = otherPlanOf.get(dependencyId);
        violations.push(
          otherPlan === undefined
            ? { code: 'UNKNOWN_DEPENDENCY', taskIds: [task.taskId, dependencyId], message: `${label(task.taskId)} depends on unknown task ${dependencyId}` }
            : {
                code: 'CROSS_PLAN_DEPENDENCY',
                taskIds: [task.taskId, dependencyId],
                message: `${label(task.taskId)} depends on ${dependencyId} of plan ${otherPlan}`,
              },
        );
        continue;
      }
      if (target.fulfillmentPlanId !== plan.fulfillmentPlanId) {
        violations.push({
          code: 'CROSS_PLAN_DEPENDENCY',
          taskIds: [task.taskId, dependencyId],
          message: `${label(task.taskId)} depends on ${label(dependencyId)} of plan ${target.fulfillmentPlanId}`,
        });
      } else if (phaseIndex(target.phase) > phaseIndex(task.phase)) {
        violations.push({
          code: 'PHASE_ORDER',
          taskIds: [task.taskId, dependencyId],
          message: `${label(task.taskId)} in ${task.phase} depends on ${label(dependencyId)} of the later phase ${target.phase}`,
        });
      }
      targets.push(dependencyId);
    }
    edges.set(task.taskId, targets);
  }

  const order = [...byId.keys()];
  const position = new Map(order.map((id, index) => [id, index]));
  for (const component of stronglyConnectedComponents(order, edges)) {
    if (component.length < 2) continue;
    component.sort((a, b) => position.get(a)! - position.get(b)!);
    const cycle = cycleThrough(component[0]!, new Set(component), edges);
    violations.push({
      code: 'CYCLE',
      taskIds: component,
      message: `dependency cycle: ${cycle.map(label).join(' -> ')}${
        component.length > cycle.length - 1 ? ` (tasks in the cycle: ${component.map(label).join(', ')})` : ''
      }`,
    });
  }

  if (violations.length === 0) return { valid: true, violations: [] };
  return { valid: false, violations, reason: violations.map((violation) => violation.message).join('; ') };
}

/** The plan's task graph is not executable. */
export class InvalidPlanError extends BusinessError {
  constructor(
    fulfillmentPlanId: string,
    readonly violations: readonly PlanViolation[],
    reason: string,
  ) {
    super('PLAN.INVALID', `plan ${fulfillmentPlanId} is invalid: ${reason}`, { fulfillmentPlanId, violations });
  }
}

/** Throws {@link InvalidPlanError} unless {@link validatePlan} finds the plan valid. */
export function assertValidPlan(plan: PlanGraph, context: PlanValidationContext = {}): void {
  const result = validatePlan(plan, context);
  if (!result.valid) throw new InvalidPlanError(plan.fulfillmentPlanId, result.violations, result.reason);
}
