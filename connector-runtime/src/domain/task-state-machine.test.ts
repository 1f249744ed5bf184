import { describe, expect, it } from 'vitest';
import { BugError, InvalidTransitionError } from '../errors';
import { compensationStateMachine } from './compensation';
import { falloutCaseStateMachine, transitionFalloutCase } from './fallout-case-state-machine';
import { planStateMachine, transitionPlan } from './plan-state-machine';
import { defineStateMachine } from './state-machine';
import type { StateMachine } from './state-machine';
import { taskStateMachine, taskTransitionRules, transition } from './task-state-machine';
import type { TransitionableTask } from './task-state-machine';
import { fulfillmentTaskStatuses } from './vocabulary';
import type { FulfillmentTaskStatus } from './vocabulary';

const at = '2026-07-02T05:00:00Z';

/**
 * The allowed task moves, written out independently of the implementation's table so that an
 * accidental edit of either one shows up as a failing pair.
 */
const allowed: Record<FulfillmentTaskStatus, FulfillmentTaskStatus[]> = {
  PENDING: ['READY', 'CANCELLED'],
  READY: ['IN_PROGRESS', 'CANCELLED'],
  IN_PROGRESS: ['WAITING', 'COMPLETED', 'FAILED', 'FALLOUT', 'TIMED_OUT'],
  WAITING: ['COMPLETED', 'FAILED', 'FALLOUT', 'TIMED_OUT', 'CANCELLED'],
  FAILED: ['READY', 'FALLOUT', 'SKIPPED', 'CANCELLED'],
  TIMED_OUT: ['READY', 'FALLOUT', 'SKIPPED', 'CANCELLED'],
  FALLOUT: ['READY', 'SKIPPED', 'COMPLETED', 'CANCELLED'],
  COMPLETED: ['COMPENSATED'],
  SKIPPED: [],
  CANCELLED: [],
  COMPENSATED: [],
};

const pairs = fulfillmentTaskStatuses.flatMap((from) => fulfillmentTaskStatuses.map((to) => [from, to] as const));

function taskIn(status: FulfillmentTaskStatus): TransitionableTask & { taskType: string } {
  return { taskId: 'ft-1001', status, completedAt: null, taskType: 'RESERVE_RESOURCE' };
}

describe('task state machine: the full status x status table', () => {
  it('covers every status pair (11 x 11)', () => {
    expect(pairs).toHaveLength(fulfillmentTaskStatuses.length ** 2);
    expect(fulfillmentTaskStatuses).toHaveLength(11);
  });

  it.each(pairs)('%s -> %s is allowed exactly when the table says so', (from, to) => {
    const expected = allowed[from].includes(to);
    expect(taskStateMachine.canTransition(from, to)).toBe(expected);
    const move = (): unknown => transition(taskIn(from), to, { at, approvedBy: 'ops-lead-7' });
    if (expected) {
      expect(move()).toMatchObject({ taskId: 'ft-1001', status: to, taskType: 'RESERVE_RESOURCE' });
    } else {
      expect(move).toThrow(InvalidTransitionError);
    }
  });

  it('gives every allowed move a reason', () => {
    expect(taskTransitionRules).toHaveLength(Object.values(allowed).flat().length);
    for (const rule of taskTransitionRules) expect(rule.why.length).toBeGreaterThan(10);
  });

  it('has SKIPPED, CANCELLED and COMPENSATED as its only final statuses', () => {
    expect([...taskStateMachine.finalStatuses].sort()).toEqual(['CANCELLED', 'COMPENSATED', 'SKIPPED']);
  });
});

describe('task transitions', () => {
  it('rejects an illegal move with the stable code TASK.INVALID_TRANSITION and the task id', () => {
    try {
      transition(taskIn('PENDING'), 'COMPLETED', { at });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect((error as InvalidTransitionError).code).toBe('TASK.INVALID_TRANSITION');
      expect((error as InvalidTransitionError).kind).toBe('business');
      expect((error as InvalidTransitionError).details).toMatchObject({ from: 'PENDING', to: 'COMPLETED', taskId: 'ft-1001' });
    }
  });

  it.each([
    ['FAILED', 'SKIPPED'],
    ['TIMED_OUT', 'SKIPPED'],
    ['FALLOUT', 'SKIPPED'],
    ['FALLOUT', 'COMPLETED'],
  ] as const)('requires an approver for %s -> %s', (from, to) => {
    expect(() => transition(taskIn(from), to, { at })).toThrow(InvalidTransitionError);
    expect(() => transition(taskIn(from), to, { at, approvedBy: '  ' })).toThrow(InvalidTransitionError);
    expect(transition(taskIn(from), to, { at, approvedBy: 'ops-lead-7' }).status).toBe(to);
  });

  it('does not need an approver for a normal completion', () => {
    expect(transition(taskIn('WAITING'), 'COMPLETED', { at }).status).toBe('COMPLETED');
  });

  it('records completedAt on COMPLETED and keeps it afterwards', () => {
    const completed = transition(taskIn('IN_PROGRESS'), 'COMPLETED', { at });
    expect(completed.completedAt).toBe(at);
    const compensated = transition(completed, 'COMPENSATED', { at: '2026-07-03T00:00:00Z' });
    expect(compensated.completedAt).toBe(at);
    expect(transition(taskIn('READY'), 'IN_PROGRESS', { at }).completedAt).toBeNull();
  });

  it('does not change the task it was given', () => {
    const task = taskIn('READY');
    transition(task, 'IN_PROGRESS', { at });
    expect(task.status).toBe('READY');
  });

  it('refuses a transition time that is not a timestamp', () => {
    expect(() => transition(taskIn('READY'), 'IN_PROGRESS', { at: 'yesterday' })).toThrow(BugError);
  });
});

/** Every pair of a small machine: allowed ones pass, the rest throw. */
function checkWholeTable<S extends string>(machine: StateMachine<S>, expected: Record<S, S[]>): void {
  for (const from of machine.statuses) {
    for (const to of machine.statuses) {
      const ok = expected[from].includes(to);
      expect(machine.canTransition(from, to), `${from} -> ${to}`).toBe(ok);
      if (ok) expect(() => machine.assertTransition(from, to)).not.toThrow();
      else expect(() => machine.assertTransition(from, to)).toThrow(InvalidTransitionError);
    }
  }
}

describe('plan, fallout case and compensation state machines', () => {
  it('plan: every pair checked', () => {
    checkWholeTable(planStateMachine, {
      CREATED: ['IN_PROGRESS', 'CANCELLED'],
      IN_PROGRESS: ['COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED_WITH_FALLOUT', 'CANCELLED', 'COMPENSATED', 'MANUAL_CLOSED'],
      COMPLETED: [],
      PARTIALLY_COMPLETED: ['COMPLETED', 'MANUAL_CLOSED'],
      CANCELLED: [],
      FAILED_WITH_FALLOUT: ['COMPENSATED', 'MANUAL_CLOSED'],
      COMPENSATED: [],
      MANUAL_CLOSED: [],
    });
    expect(transitionPlan({ fulfillmentPlanId: 'fp-9001', status: 'CREATED' as const }, 'IN_PROGRESS').status).toBe('IN_PROGRESS');
    expect(() => transitionPlan({ fulfillmentPlanId: 'fp-9001', status: 'COMPLETED' as const }, 'IN_PROGRESS')).toThrow(
      expect.objectContaining({ code: 'PLAN.INVALID_TRANSITION' }),
    );
  });

  it('fallout case: every pair checked', () => {
    checkWholeTable(falloutCaseStateMachine, {
      OPEN: ['IN_REPAIR', 'REPAIRED', 'CLOSED'],
      IN_REPAIR: ['OPEN', 'REPAIRED', 'CLOSED'],
      REPAIRED: ['CLOSED'],
      CLOSED: [],
    });
    expect(() => transitionFalloutCase({ falloutCaseId: 'fc-1', status: 'CLOSED' as const }, 'OPEN')).toThrow(
      expect.objectContaining({ code: 'FALLOUT_CASE.INVALID_TRANSITION' }),
    );
  });

  it('compensation: every pair checked', () => {
    checkWholeTable(compensationStateMachine, {
      PLANNED: ['IN_PROGRESS', 'MANUAL_REVIEW'],
      IN_PROGRESS: ['COMPLETED', 'FAILED'],
      COMPLETED: [],
      FAILED: ['IN_PROGRESS', 'MANUAL_REVIEW'],
      MANUAL_REVIEW: ['COMPLETED'],
    });
  });
});

describe('defining a state machine', () => {
  it.each([
    ['an unknown status', [{ from: 'A', to: 'Z', why: 'x' }]],
    ['a self transition', [{ from: 'A', to: 'A', why: 'x' }]],
    ['a repeated rule', [{ from: 'A', to: 'B', why: 'x' }, { from: 'A', to: 'B', why: 'y' }]],
  ])('rejects a table with %s', (_label, rules) => {
    expect(() => defineStateMachine('thing', ['A', 'B'] as const, rules as never)).toThrow(BugError);
  });
});
