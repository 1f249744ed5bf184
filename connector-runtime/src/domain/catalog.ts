/**
 * The product catalog's decomposition rules, held as data (seed §1: the domain service, not BPMN,
 * decides which tasks an order needs). For each product code and order item action, a rule lists
 * task templates: task type, phase, execution mode, owner system, dependencies and policies.
 *
 * Dependencies are written between templates, never between task ids:
 * - a plain string names another template of the same rule (same order item);
 * - `{ scope: 'PARENT_ITEM' | 'CHILD_ITEMS' | 'SIBLING_ITEMS', taskType }` names the tasks of that
 *   type on related items of the same order (an add-on's activation after its parent service's, a
 *   bundle's installed-base update after its children's). A related item without such a task adds
 *   no dependency: an add-on on an existing service has no parent item to wait for.
 */
import { z } from 'zod';
import { BusinessError, ValidationError } from '../errors';
import { compensationPolicySchema, retryPolicySchema, timeoutPolicySchema } from './policies';
import type { CompensationPolicy, RetryPolicy, TimeoutPolicy } from './policies';
import { callbackMessages, fulfillmentPhases, fulfillmentTaskTypes, orderItemActions, productTypes } from './vocabulary';
import type { FulfillmentPhase, OrderItemAction, ProductType } from './vocabulary';

/** Execution modes a catalog may give a forward task; COMPENSATION and REPAIR are created by the runtime. */
export const plannedExecutionModes = ['AUTOMATED_SYNC', 'AUTOMATED_ASYNC', 'MANUAL', 'WAIT_ONLY'] as const;
/** See {@link plannedExecutionModes}. */
export type PlannedExecutionMode = (typeof plannedExecutionModes)[number];

/** Modes that wait for something outside the worker, so each needs a timeout (seed §14). */
const waitingModes: readonly PlannedExecutionMode[] = ['AUTOMATED_ASYNC', 'MANUAL', 'WAIT_ONLY'];

/** Modes that end with an external callback, so their task type must have a callback message. */
const callbackModes: readonly PlannedExecutionMode[] = ['AUTOMATED_ASYNC', 'WAIT_ONLY'];
const callbackTaskTypes: ReadonlySet<string> = new Set(callbackMessages.flatMap((message) => message.awaitedBy));

const slug = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lower-case kebab-case identifier');

/** Scopes of a dependency on tasks of other items of the same order. */
export const relatedItemScopes = ['PARENT_ITEM', 'CHILD_ITEMS', 'SIBLING_ITEMS'] as const;
/** See {@link relatedItemScopes}. */
export type RelatedItemScope = (typeof relatedItemScopes)[number];

/** A dependency of a task template: a template id of the same rule, or a task type on related items. */
export const templateDependencySchema = z.union([
  slug.meta({ description: 'templateId of the same decomposition rule' }),
  z.strictObject({ scope: z.enum(relatedItemScopes), taskType: z.enum(fulfillmentTaskTypes) }),
]);
/** See {@link templateDependencySchema}. */
export type TemplateDependency = z.infer<typeof templateDependencySchema>;

/** One task that a rule creates for an order item. */
export const taskTemplateSchema = z.strictObject({
  templateId: slug,
  taskType: z.enum(fulfillmentTaskTypes),
  phase: z.enum(fulfillmentPhases),
  executionMode: z.enum(plannedExecutionModes),
  ownerSystem: slug.meta({ description: 'System (adapter) that performs the task' }),
  required: z.boolean().default(true).meta({ description: 'false: the order can complete without it (seed §30)' }),
  dependsOn: z.array(templateDependencySchema).default([]),
  parameters: z.record(z.string(), z.json()).default({}).meta({ description: 'Static input for the owner system' }),
  retryPolicy: retryPolicySchema.optional().meta({ description: 'Defaults to the catalog default' }),
  timeoutPolicy: timeoutPolicySchema.optional().meta({ description: 'Defaults to the catalog default of the mode' }),
  compensationPolicy: compensationPolicySchema,
});
/** See {@link taskTemplateSchema}. */
export type TaskTemplate = z.output<typeof taskTemplateSchema>;

/** The task templates for one action on one product. */
export const decompositionRuleSchema = z.strictObject({
  action: z.enum(orderItemActions),
  tasks: z.array(taskTemplateSchema).min(1),
});
/** See {@link decompositionRuleSchema}. */
export type DecompositionRule = z.output<typeof decompositionRuleSchema>;

/** A product of the catalog with its decomposition rules. */
export const productDefinitionSchema = z.strictObject({
  productCode: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/),
  productType: z.enum(productTypes),
  name: z.string().min(1).max(200),
  decompositions: z.array(decompositionRuleSchema).min(1),
});
/** See {@link productDefinitionSchema}. */
export type ProductDefinition = z.output<typeof productDefinitionSchema>;

/** Policies used where a template states none. */
export const catalogDefaultsSchema = z.strictObject({
  retryPolicy: retryPolicySchema,
  timeoutPolicies: z.partialRecord(z.enum(plannedExecutionModes), timeoutPolicySchema).default({}),
});

const phaseIndex = (phase: FulfillmentPhase): number => fulfillmentPhases.indexOf(phase);

function templateIssues(rule: DecompositionRule, defaults: z.output<typeof catalogDefaultsSchema>): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const byId = new Map<string, TaskTemplate>();
  rule.tasks.forEach((template, index) => {
    if (byId.has(template.templateId)) issues.push({ path: ['tasks', index, 'templateId'], message: `templateId ${template.templateId} appears twice` });
    byId.set(template.templateId, template);
  });
  rule.tasks.forEach((template, index) => {
    template.dependsOn.forEach((dependency, dependencyIndex) => {
      if (typeof dependency !== 'string') return;
      const path = ['tasks', index, 'dependsOn', dependencyIndex];
      const target = byId.get(dependency);
      if (dependency === template.templateId) issues.push({ path, message: `${dependency} depends on itself` });
      else if (!target) issues.push({ path, message: `${dependency} is not a template of this rule` });
      else if (phaseIndex(target.phase) > phaseIndex(template.phase)) {
        // The process runs phase after phase (docs/architecture.md §7): waiting on a later phase would never end.
        issues.push({ path, message: `${template.templateId} (${template.phase}) cannot wait for ${dependency} of the later phase ${target.phase}` });
      }
    });
    if (waitingModes.includes(template.executionMode) && !template.timeoutPolicy && !defaults.timeoutPolicies[template.executionMode]) {
      issues.push({ path: ['tasks', index, 'timeoutPolicy'], message: `a ${template.executionMode} task waits, so it needs a timeoutPolicy (seed §14)` });
    }
    // The model's await step picks the callback by task type and has no default route.
    if (callbackModes.includes(template.executionMode) && !callbackTaskTypes.has(template.taskType)) {
      issues.push({
        path: ['tasks', index, 'executionMode'],
        message: `${template.taskType} is ${template.executionMode}, but no callback message confirms it (vocabulary callbackMessages)`,
      });
    }
  });
  // Same-item cycles are caught here, where the author can see them; cross-item ones by plan validation.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      issues.push({ path: ['tasks'], message: `templates form a cycle: ${cycle.join(' -> ')}` });
      return;
    }
    state.set(id, 'visiting');
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      if (typeof dependency === 'string' && dependency !== id && byId.has(dependency)) visit(dependency, [...trail, id]);
    }
    state.set(id, 'done');
  };
  for (const id of byId.keys()) visit(id, []);
  return issues;
}

/** A whole catalog: version, default policies and products. */
export const catalogSchema = z
  .strictObject({
    catalogVersion: z.string().min(1).max(64),
    defaults: catalogDefaultsSchema,
    products: z.array(productDefinitionSchema).min(1),
  })
  .superRefine((catalog, context) => {
    const codes = new Set<string>();
    catalog.products.forEach((product, productIndex) => {
      if (codes.has(product.productCode)) {
        context.addIssue({ code: 'custom', path: ['products', productIndex, 'productCode'], message: `product ${product.productCode} appears twice` });
      }
      codes.add(product.productCode);
      const actions = new Set<OrderItemAction>();
      product.decompositions.forEach((rule, ruleIndex) => {
        const base = ['products', productIndex, 'decompositions', ruleIndex];
        if (actions.has(rule.action)) {
          context.addIssue({ code: 'custom', path: [...base, 'action'], message: `${product.productCode} has two rules for ${rule.action}` });
        }
        actions.add(rule.action);
        for (const issue of templateIssues(rule, catalog.defaults)) {
          context.addIssue({ code: 'custom', path: [...base, ...issue.path], message: issue.message });
        }
      });
    });
  });
/** A validated catalog. */
export type Catalog = z.output<typeof catalogSchema>;

/** Parses catalog data; throws `ValidationError` listing every problem with its path. */
export function parseCatalog(input: unknown): Catalog {
  const result = catalogSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    'product catalog is invalid',
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

/** The order names a product code that the catalog does not know. */
export class UnknownProductError extends BusinessError {
  constructor(productCode: string, catalogVersion: string) {
    super('CATALOG.UNKNOWN_PRODUCT', `product ${productCode} is not in catalog ${catalogVersion}`, { productCode, catalogVersion });
  }
}

/** The catalog knows the product but has no rule for the requested action. */
export class UnsupportedActionError extends BusinessError {
  constructor(productCode: string, action: OrderItemAction, catalogVersion: string) {
    super('CATALOG.UNSUPPORTED_ACTION', `product ${productCode} has no ${action} rule in catalog ${catalogVersion}`, {
      productCode,
      action,
      catalogVersion,
    });
  }
}

/** The order item's product type differs from the catalog's type for that product code. */
export class ProductTypeMismatchError extends BusinessError {
  constructor(productCode: string, ordered: ProductType, catalogued: ProductType) {
    super('CATALOG.PRODUCT_TYPE_MISMATCH', `product ${productCode} is a ${catalogued} in the catalog, the order says ${ordered}`, {
      productCode,
      ordered,
      catalogued,
    });
  }
}

/** Finds the rule for a product and action; throws the typed catalog errors above. */
export function findDecompositionRule(
  catalog: Catalog,
  productCode: string,
  action: OrderItemAction,
  productType?: ProductType,
): { product: ProductDefinition; rule: DecompositionRule } {
  const product = catalog.products.find((candidate) => candidate.productCode === productCode);
  if (!product) throw new UnknownProductError(productCode, catalog.catalogVersion);
  if (productType !== undefined && product.productType !== productType) {
    throw new ProductTypeMismatchError(productCode, productType, product.productType);
  }
  const rule = product.decompositions.find((candidate) => candidate.action === action);
  if (!rule) throw new UnsupportedActionError(productCode, action, catalog.catalogVersion);
  return { product, rule };
}

/** The policies a task made from `template` carries: the template's own, else the catalog defaults. */
export function resolveTemplatePolicies(
  catalog: Catalog,
  template: TaskTemplate,
): { retryPolicy: RetryPolicy; timeoutPolicy: TimeoutPolicy | null; compensationPolicy: CompensationPolicy } {
  return {
    retryPolicy: template.retryPolicy ?? catalog.defaults.retryPolicy,
    timeoutPolicy: template.timeoutPolicy ?? catalog.defaults.timeoutPolicies[template.executionMode] ?? null,
    compensationPolicy: template.compensationPolicy,
  };
}
