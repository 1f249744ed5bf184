import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import {
  orderCorrelationKey,
  orderCorrelationKeyExpression,
  taskCorrelationKey,
  taskCorrelationKeyExpression,
} from './model-names';

const variables = {
  tenantId: 'tenant-a',
  orderId: '00000001-0000-4000-8000-000000000001',
  fulfillmentPlanId: '00000001-0000-4000-8000-000000000002',
  currentTaskId: '00000001-0000-4000-8000-000000000003',
};

// The engine evaluates the FEEL in the model; the correlation relay builds the key in TypeScript.
// If the two ever disagree, messages buffer until their TTL and no process moves on.
describe('correlation keys', () => {
  it('given process variables, when the task key expression is evaluated, then it equals the key the relay builds', () => {
    const { value } = evaluate(taskCorrelationKeyExpression.slice(1), variables);
    expect(value).toBe(taskCorrelationKey(variables.tenantId, variables.orderId, variables.currentTaskId));
    expect(value).toBe(`tenant-a:${variables.orderId}:${variables.currentTaskId}`);
  });

  it('given process variables, when the order key expression is evaluated, then it equals the key the relay builds', () => {
    const { value } = evaluate(orderCorrelationKeyExpression.slice(1), variables);
    expect(value).toBe(orderCorrelationKey(variables.tenantId, variables.orderId, variables.fulfillmentPlanId));
  });

  it('given no current task, when the task key is evaluated, then FEEL yields null (the model must not wait on it)', () => {
    const { currentTaskId: _none, ...withoutTask } = variables;
    expect(evaluate(taskCorrelationKeyExpression.slice(1), withoutTask).value).toBeNull();
  });
});
