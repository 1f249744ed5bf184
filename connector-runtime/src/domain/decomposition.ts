/**
 * Decomposition: order + catalog -> fulfillment plan (seed §1: the domain service creates and owns
 * the plan; BPMN only executes it). Pure and deterministic for a given id factory: items are taken
 * in order, templates in catalog order, and the factory is called once for the plan and then once
 * per task in that order, so a fixture's ids are the same on every run.
 */
import { BusinessError } from '../errors';
import { findDecompositionRule, resolveTemplatePolicies } from './catalog';
import type { Catalog, TaskTemplate } from './catalog';
import type { FulfillmentPlan, FulfillmentTask } from './fulfillment-plan';
import type { IdFactory } from './id-factory';
import { assertOrderRules, orderItemRelations, productCharacteristics } from './order';
import type { Order, OrderItem } from './order';
import { validatePlan } from './plan-validation';
import type { PlanViolation } from './plan-validation';
import { snapshotHash } from './snapshot-hash';
import type { CanonicalValue } from './snapshot-hash';

/** Options of {@link decompose}. */
export interface DecomposeOptions {
  idFactory: IdFactory;
}

/** The catalog's rules produced a plan that cannot run (for example a cycle across items). */
export class DecompositionError extends BusinessError {
  constructor(
    orderId: string,
    readonly violations: readonly PlanViolation[],
    reason: string,
  ) {
    super('DECOMPOSITION.INVALID_PLAN', `decomposing order ${orderId} gives an invalid plan: ${reason}`, { orderId, violations });
  }
}

interface PlannedTask {
  item: OrderItem;
  template: TaskTemplate;
  taskId: string;
}

/**
 * The input a task works on, frozen at planning time. Its hash lets a worker prove later that the
 * task still runs on what was planned (a new order version gives new hashes).
 */
export function taskInputSnapshot(order: Order, item: OrderItem, template: TaskTemplate): Record<string, CanonicalValue> {
  const { attributes } = item;
  return {
    tenantId: order.tenantId,
    orderId: order.orderId,
    orderVersion: order.orderVersion,
    orderItemId: item.orderItemId,
    parentItemId: item.parentItemId ?? null,
    action: item.action,
    productType: item.productType,
    productCode: item.productCode,
    quantity: item.quantity,
    existingAssetId: attributes.existingAssetId ?? null,
    expectedAssetVersion: attributes.expectedAssetVersion ?? null,
    parentAssetId: attributes.parentAssetId ?? null,
    characteristics: productCharacteristics(attributes) as CanonicalValue,
    taskType: template.taskType,
    parameters: template.parameters as CanonicalValue,
  };
}

/**
 * Turns a validated order into a fulfillment plan with status CREATED. Throws `ValidationError`
 * when the order breaks an order rule, `UnknownProductError` / `UnsupportedActionError` /
 * `ProductTypeMismatchError` when the catalog has no matching rule, and {@link DecompositionError}
 * when the resulting task graph is invalid.
 */
export function decompose(order: Order, catalog: Catalog, options: DecomposeOptions): FulfillmentPlan {
  assertOrderRules(order);
  const rules = order.items.map((item) => ({ item, rule: findDecompositionRule(catalog, item.productCode, item.action, item.productType).rule }));

  const fulfillmentPlanId = options.idFactory();
  const planned: PlannedTask[] = [];
  for (const { item, rule } of rules) {
    for (const template of rule.tasks) planned.push({ item, template, taskId: options.idFactory() });
  }

  const relations = orderItemRelations(order);
  const tasksOfItem = new Map<string, PlannedTask[]>();
  for (const task of planned) tasksOfItem.set(task.item.orderItemId, [...(tasksOfItem.get(task.item.orderItemId) ?? []), task]);
  const sequenceOf = new Map(planned.map((task, index) => [task.taskId, index]));

  const dependenciesOf = (task: PlannedTask): string[] => {
    const ids = new Set<string>();
    for (const dependency of task.template.dependsOn) {
      if (typeof dependency === 'string') {
        const target = tasksOfItem.get(task.item.orderItemId)!.find((candidate) => candidate.template.templateId === dependency);
        // The catalog schema guarantees same-rule template ids resolve; a miss means it was bypassed.
        if (!target) throw new BusinessError('CATALOG.UNKNOWN_TEMPLATE', `template ${dependency} is not in the rule`, { templateId: dependency });
        ids.add(target.taskId);
        continue;
      }
      const related =
        dependency.scope === 'PARENT_ITEM'
          ? [relations.parentOf(task.item.orderItemId)].filter((item): item is OrderItem => item !== undefined)
          : dependency.scope === 'CHILD_ITEMS'
            ? relations.childrenOf(task.item.orderItemId)
            : relations.siblingsOf(task.item.orderItemId);
      for (const item of related) {
        for (const candidate of tasksOfItem.get(item.orderItemId) ?? []) {
          if (candidate.template.taskType === dependency.taskType) ids.add(candidate.taskId);
        }
      }
    }
    // Plan order, so the same order always lists dependencies the same way.
    return [...ids].sort((a, b) => sequenceOf.get(a)! - sequenceOf.get(b)!);
  };

  const tasks: FulfillmentTask[] = planned.map((task, index) => {
    const inputSnapshot = taskInputSnapshot(order, task.item, task.template);
    const dependsOn = dependenciesOf(task);
    return {
      taskId: task.taskId,
      fulfillmentPlanId,
      tenantId: order.tenantId,
      orderId: order.orderId,
      orderItemId: task.item.orderItemId,
      sequence: index + 1,
      templateId: task.template.templateId,
      taskType: task.template.taskType,
      phase: task.template.phase,
      executionMode: task.template.executionMode,
      ownerSystem: task.template.ownerSystem,
      required: task.template.required,
      status: dependsOn.length === 0 ? 'READY' : 'PENDING',
      dependsOn,
      inputSnapshot: inputSnapshot as FulfillmentTask['inputSnapshot'],
      inputSnapshotHash: snapshotHash(inputSnapshot),
      ...resolveTemplatePolicies(catalog, task.template),
      completedAt: null,
    };
  });

  const plan: FulfillmentPlan = {
    fulfillmentPlanId,
    tenantId: order.tenantId,
    orderId: order.orderId,
    orderVersion: order.orderVersion,
    completionPolicy: order.completionPolicy,
    catalogVersion: catalog.catalogVersion,
    status: 'CREATED',
    tasks,
  };
  const validation = validatePlan(plan);
  if (!validation.valid) throw new DecompositionError(order.orderId, validation.violations, validation.reason);
  return plan;
}
