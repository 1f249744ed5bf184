import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import {
  findDecompositionRule,
  parseCatalog,
  ProductTypeMismatchError,
  resolveTemplatePolicies,
  UnknownProductError,
  UnsupportedActionError,
} from './catalog';

/** A one-product catalog whose ADD rule has the given templates. */
function catalogWith(tasks: unknown[], defaults: Record<string, unknown> = {}): unknown {
  return {
    catalogVersion: 'test-1',
    defaults: { retryPolicy: { maxAttempts: 3, backoff: 'PT30S' }, ...defaults },
    products: [{ productCode: 'FIBER-500', productType: 'NETWORK_SERVICE', name: 'Fibre', decompositions: [{ action: 'ADD', tasks }] }],
  };
}

const noComp = { compensatable: false };
const check = {
  templateId: 'check',
  taskType: 'CHECK_SERVICEABILITY',
  phase: 'VALIDATION',
  executionMode: 'AUTOMATED_SYNC',
  ownerSystem: 'inventory-adapter',
  compensationPolicy: noComp,
};
const reserve = {
  templateId: 'reserve',
  taskType: 'RESERVE_RESOURCE',
  phase: 'RESERVATION',
  executionMode: 'AUTOMATED_SYNC',
  ownerSystem: 'inventory-adapter',
  dependsOn: ['check'],
  compensationPolicy: { compensatable: true, compensationTaskType: 'RELEASE_RESOURCE' },
};
const provision = {
  templateId: 'provision',
  taskType: 'CREATE_PROVISIONING_REQUEST',
  phase: 'PROVISIONING',
  executionMode: 'AUTOMATED_ASYNC',
  ownerSystem: 'provisioning-adapter',
  dependsOn: ['reserve'],
  timeoutPolicy: { timeout: 'PT2H', softReminderBefore: 'PT30M', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT' },
  compensationPolicy: { compensatable: true, compensationTaskType: 'DEACTIVATE_SERVICE' },
};

function messages(input: unknown): string[] {
  try {
    parseCatalog(input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

describe('catalog parsing', () => {
  it('accepts a rule and fills template defaults', () => {
    const catalog = parseCatalog(catalogWith([check, reserve, provision]));
    const template = catalog.products[0]!.decompositions[0]!.tasks[0]!;
    expect(template).toMatchObject({ required: true, dependsOn: [], parameters: {} });
  });

  it.each([
    ['a dependency on an unknown template', [check, { ...reserve, dependsOn: ['nope'] }], 'dependsOn.0: nope is not a template of this rule'],
    ['a template depending on itself', [{ ...check, dependsOn: ['check'] }], 'check depends on itself'],
    ['a cycle between templates', [{ ...check, dependsOn: ['reserve'], phase: 'RESERVATION' }, reserve], 'templates form a cycle: check -> reserve -> check'],
    ['a dependency on a later phase', [{ ...check, dependsOn: ['reserve'] }, { ...reserve, dependsOn: [] }], 'cannot wait for reserve of the later phase RESERVATION'],
    ['a repeated template id', [check, { ...reserve, templateId: 'check', dependsOn: [] }], 'templateId check appears twice'],
    ['an async task without a timeout', [check, reserve, { ...provision, timeoutPolicy: undefined }], 'needs a timeoutPolicy'],
    [
      'an async task no callback message confirms',
      [check, reserve, { ...provision, taskType: 'RESERVE_RESOURCE' }],
      'RESERVE_RESOURCE is AUTOMATED_ASYNC, but no callback message confirms it',
    ],
    ['an unknown task type', [{ ...check, taskType: 'DO_MAGIC' }], 'taskType'],
    ['a COMPENSATION mode template', [{ ...check, executionMode: 'COMPENSATION' }], 'executionMode'],
    ['a missing compensation policy', [{ ...check, compensationPolicy: undefined }], 'compensationPolicy'],
    ['a reversible compensatable task without a compensation type', [{ ...reserve, dependsOn: [], compensationPolicy: { compensatable: true } }], 'compensationTaskType'],
  ])('rejects %s', (_label, tasks, expected) => {
    expect(messages(catalogWith(tasks)).join('\n')).toContain(expected);
  });

  it('accepts an async task whose timeout comes from the catalog default of its mode', () => {
    const input = catalogWith([check, reserve, { ...provision, timeoutPolicy: undefined }], {
      timeoutPolicies: { AUTOMATED_ASYNC: { timeout: 'PT4H', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT' } },
    });
    const catalog = parseCatalog(input);
    const template = catalog.products[0]!.decompositions[0]!.tasks[2]!;
    expect(resolveTemplatePolicies(catalog, template)).toEqual({
      retryPolicy: { maxAttempts: 3, backoff: 'PT30S' },
      timeoutPolicy: { timeout: 'PT4H', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT' },
      compensationPolicy: { compensatable: true, compensationTaskType: 'DEACTIVATE_SERVICE' },
    });
  });

  it('prefers a template policy over the default, and has no timeout for a sync task without one', () => {
    const catalog = parseCatalog(catalogWith([{ ...check, retryPolicy: { maxAttempts: 5, backoff: 'PT1M' } }]));
    const policies = resolveTemplatePolicies(catalog, catalog.products[0]!.decompositions[0]!.tasks[0]!);
    expect(policies.retryPolicy).toEqual({ maxAttempts: 5, backoff: 'PT1M' });
    expect(policies.timeoutPolicy).toBeNull();
  });

  it('rejects duplicate products and duplicate action rules', () => {
    const base = catalogWith([check]) as { products: Record<string, unknown>[] };
    const product = base.products[0]!;
    const duplicated = { ...base, products: [product, product] };
    expect(messages(duplicated).join('\n')).toContain('product FIBER-500 appears twice');
    const twoRules = { ...base, products: [{ ...product, decompositions: [{ action: 'ADD', tasks: [check] }, { action: 'ADD', tasks: [check] }] }] };
    expect(messages(twoRules).join('\n')).toContain('FIBER-500 has two rules for ADD');
  });
});

describe('finding a rule', () => {
  const catalog = parseCatalog(catalogWith([check]));

  it('finds the rule of a product and action', () => {
    expect(findDecompositionRule(catalog, 'FIBER-500', 'ADD', 'NETWORK_SERVICE').rule.tasks.map((task) => task.templateId)).toEqual(['check']);
  });

  it('throws typed errors for an unknown product, an unsupported action and a product type mismatch', () => {
    expect(() => findDecompositionRule(catalog, 'FIBER-9000', 'ADD')).toThrow(UnknownProductError);
    expect(() => findDecompositionRule(catalog, 'FIBER-500', 'MOVE')).toThrow(UnsupportedActionError);
    expect(() => findDecompositionRule(catalog, 'FIBER-500', 'ADD', 'PHYSICAL_DEVICE')).toThrow(ProductTypeMismatchError);
    expect(() => findDecompositionRule(catalog, 'FIBER-9000', 'ADD')).toThrow(expect.objectContaining({ code: 'CATALOG.UNKNOWN_PRODUCT', kind: 'business' }));
    expect(() => findDecompositionRule(catalog, 'FIBER-500', 'MOVE')).toThrow(expect.objectContaining({ code: 'CATALOG.UNSUPPORTED_ACTION' }));
  });
});
