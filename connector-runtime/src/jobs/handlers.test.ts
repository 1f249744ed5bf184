import { describe, expect, it } from 'vitest';
import { jobBindings } from './handlers';
import { jobContracts } from './index';
import type { HandlerDeps } from './handler-deps';

describe('job handlers', () => {
  it('given the registry of job contracts, then every job type has exactly one handler, bound to its own contract', () => {
    // Building the handlers touches no dependency; only running them does.
    const bindings = jobBindings({} as HandlerDeps);
    expect(bindings.map((binding) => binding.contract.type).sort()).toEqual(jobContracts.map((contract) => contract.type).sort());
    expect(new Set(bindings.map((binding) => binding.contract.type)).size).toBe(bindings.length);
    for (const binding of bindings) expect(jobContracts).toContain(binding.contract);
  });
});
