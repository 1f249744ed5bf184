import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acyclicPlanArbitrary, cyclicPlanArbitrary, generatedPlanId } from './fixtures/plan-arbitraries';
import { assertValidPlan, InvalidPlanError, validatePlan } from './plan-validation';
import type { PlanGraphTask, PlanValidationResult } from './plan-validation';

const planId = 'fp-9001';

function task(taskId: string, dependsOn: string[] = [], overrides: Partial<PlanGraphTask> = {}): PlanGraphTask {
  return { taskId, fulfillmentPlanId: planId, dependsOn, phase: 'PROVISIONING', taskType: 'RESERVE_RESOURCE', ...overrides };
}

function invalid(result: PlanValidationResult): Extract<PlanValidationResult, { valid: false }> {
  if (result.valid) throw new Error('expected an invalid plan');
  return result;
}

describe('plan validation', () => {
  it('accepts a diamond', () => {
    const result = validatePlan({ fulfillmentPlanId: planId, tasks: [task('A'), task('B', ['A']), task('C', ['A']), task('D', ['B', 'C'])] });
    expect(result).toEqual({ valid: true, violations: [] });
  });

  it('rejects an unknown dependency, naming both tasks', () => {
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks: [task('A', ['ghost'])] }));
    expect(result.violations).toEqual([
      { code: 'UNKNOWN_DEPENDENCY', taskIds: ['A', 'ghost'], message: 'A (RESERVE_RESOURCE) depends on unknown task ghost' },
    ]);
    expect(result.reason).toBe('A (RESERVE_RESOURCE) depends on unknown task ghost');
  });

  it('rejects a self dependency', () => {
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks: [task('A', ['A'])] }));
    expect(result.violations.map((violation) => violation.code)).toEqual(['SELF_DEPENDENCY']);
  });

  it('rejects a cycle with a reason that walks the cycle', () => {
    const tasks = [
      task('A', [], { taskType: 'CHECK_SERVICEABILITY' }),
      task('B', ['A', 'D'], { taskType: 'RESERVE_RESOURCE' }),
      task('C', ['B'], { taskType: 'CREATE_PROVISIONING_REQUEST' }),
      task('D', ['C'], { taskType: 'ACTIVATE_BILLING' }),
    ];
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ code: 'CYCLE', taskIds: ['B', 'C', 'D'] });
    expect(result.reason).toBe(
      'dependency cycle: B (RESERVE_RESOURCE) -> D (ACTIVATE_BILLING) -> C (CREATE_PROVISIONING_REQUEST) -> B (RESERVE_RESOURCE)',
    );
  });

  it('reports two separate cycles separately', () => {
    const tasks = [task('A', ['B']), task('B', ['A']), task('C', ['D']), task('D', ['C']), task('E', ['A', 'C'])];
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations.map((violation) => [violation.code, violation.taskIds])).toEqual([
      ['CYCLE', ['A', 'B']],
      ['CYCLE', ['C', 'D']],
    ]);
  });

  it('names every task of a tangled cycle even when the shortest loop is smaller', () => {
    const tasks = [task('A', ['B']), task('B', ['A', 'C']), task('C', ['A'])];
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations[0]!.taskIds).toEqual(['A', 'B', 'C']);
    expect(result.reason).toContain('(tasks in the cycle: A (RESERVE_RESOURCE), B (RESERVE_RESOURCE), C (RESERVE_RESOURCE))');
  });

  it('rejects duplicate task ids', () => {
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks: [task('A'), task('A')] }));
    expect(result.violations).toEqual([{ code: 'DUPLICATE_TASK_ID', taskIds: ['A'], message: 'task id A appears more than once' }]);
  });

  it('rejects a repeated dependency', () => {
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks: [task('A'), task('B', ['A', 'A'])] }));
    expect(result.violations.map((violation) => violation.code)).toEqual(['DUPLICATE_DEPENDENCY']);
  });

  it('rejects a task of another plan and a dependency on it', () => {
    const tasks = [task('A', [], { fulfillmentPlanId: 'fp-other' }), task('B', ['A'])];
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations.map((violation) => [violation.code, violation.taskIds])).toEqual([
      ['FOREIGN_TASK', ['A']],
      ['CROSS_PLAN_DEPENDENCY', ['B', 'A']],
    ]);
    expect(result.reason).toContain('of plan fp-other');
  });

  it('names the other plan when a dependency points at a task known to belong to it', () => {
    const result = invalid(
      validatePlan(
        { fulfillmentPlanId: planId, tasks: [task('B', ['X'])] },
        { otherPlanTasks: [{ taskId: 'X', fulfillmentPlanId: 'fp-8000' }] },
      ),
    );
    expect(result.violations).toEqual([
      { code: 'CROSS_PLAN_DEPENDENCY', taskIds: ['B', 'X'], message: 'B (RESERVE_RESOURCE) depends on X of plan fp-8000' },
    ]);
  });

  it('rejects a dependency on a later phase, which the phase-by-phase process could never satisfy', () => {
    const tasks = [task('bill', [], { phase: 'ACTIVATION' }), task('reserve', ['bill'], { phase: 'RESERVATION' })];
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations.map((violation) => violation.code)).toEqual(['PHASE_ORDER']);
  });

  it('rejects an empty plan', () => {
    expect(invalid(validatePlan({ fulfillmentPlanId: planId, tasks: [] })).violations[0]!.code).toBe('EMPTY_PLAN');
  });

  it('assertValidPlan throws PLAN.INVALID with the violations', () => {
    expect(() => assertValidPlan({ fulfillmentPlanId: planId, tasks: [task('A', ['A'])] })).toThrow(InvalidPlanError);
    try {
      assertValidPlan({ fulfillmentPlanId: planId, tasks: [task('A', ['A'])] });
    } catch (error) {
      expect((error as InvalidPlanError).code).toBe('PLAN.INVALID');
      expect((error as InvalidPlanError).violations[0]!.code).toBe('SELF_DEPENDENCY');
    }
  });

  it('handles a long chain without exhausting the stack', () => {
    const length = 20_000;
    const tasks = Array.from({ length }, (_, index) => task(`t${index}`, index === 0 ? [`t${length - 1}`] : [`t${index - 1}`]));
    const result = invalid(validatePlan({ fulfillmentPlanId: planId, tasks }));
    expect(result.violations[0]!.taskIds).toHaveLength(length);
  });
});

describe('plan validation properties', () => {
  it('accepts every generated acyclic plan', () => {
    fc.assert(
      fc.property(acyclicPlanArbitrary({ maxTasks: 30 }), (tasks) => {
        expect(validatePlan({ fulfillmentPlanId: generatedPlanId, tasks })).toEqual({ valid: true, violations: [] });
      }),
    );
  });

  it('reports every plan with a cycle as invalid, with one cycle holding the whole ring', () => {
    fc.assert(
      fc.property(cyclicPlanArbitrary({ maxTasks: 30 }), ({ tasks, ring }) => {
        const result = invalid(validatePlan({ fulfillmentPlanId: generatedPlanId, tasks }));
        const cycles = result.violations.filter((violation) => violation.code === 'CYCLE');
        expect(cycles.some((cycle) => ring.every((id) => cycle.taskIds.includes(id)))).toBe(true);
        expect(result.reason).toMatch(/dependency cycle: /);
      }),
    );
  });
});
