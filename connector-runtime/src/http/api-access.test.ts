import { describe, expect, it } from 'vitest';
import { rolesFor } from './api-access';

describe('order API access table', () => {
  it.each([
    ['GET', '/api/v1/orders/1', ['viewer', 'operator', 'technician', 'integration']],
    ['POST', '/api/v1/orders', ['operator', 'integration']],
    ['POST', '/api/v1/orders/1/fulfillment-tasks/2/manual-decisions', ['technician', 'operator']],
    ['POST', '/api/v1/orders/1/cancel', ['operator']],
    ['POST', '/api/v1/orders/1/fallout-cases/2/repair', ['operator']],
    ['POST', '/internal/workflows/orders/1/execute-task', ['integration']],
    ['GET', '/internal/workflows/orders/1/execute-task', ['integration']],
  ])('given %s %s, then the roles are %j', (method, path, roles) => {
    expect(rolesFor(method, path)).toEqual(roles);
  });

  it('given a technician, then cancelling an order is not theirs to do', () => {
    expect(rolesFor('POST', '/api/v1/orders/1/cancel')).not.toContain('technician');
  });
});
