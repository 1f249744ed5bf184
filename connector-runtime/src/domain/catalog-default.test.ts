import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './catalog-default';
import { decompose } from './decomposition';
import type { FulfillmentPlan } from './fulfillment-plan';
import { fulfillmentPlanSchema } from './fulfillment-plan';
import { sequentialIdFactory } from './id-factory';
import { parseOrder } from './order';
import { computeReadyTasks } from './ready-tasks';
import { transition } from './task-state-machine';
import { fulfillmentPhases } from './vocabulary';
import type { OrderItemAction } from './vocabulary';

const at = '2026-07-02T05:00:00Z';
const site = { line1: 'Jl. Thamrin 1', city: 'Jakarta', postalCode: '10310', countryCode: 'ID' };
const uuid = (n: number): string => `5e000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

type Item = Record<string, unknown>;
let next = 100;
function item(productCode: string, productType: string, action: OrderItemAction, extra: Item = {}): Item {
  next += 1;
  const existing = action === 'ADD' ? {} : { existingAssetId: uuid(next + 5000) };
  const siteBound = productType === 'NETWORK_SERVICE' || productType === 'PHYSICAL_DEVICE';
  // Every MOVE names its new location; an ADD needs a site only for what is delivered to one.
  const location = action === 'MOVE' || (siteBound && action === 'ADD') ? { siteAddress: site } : {};
  return { orderItemId: uuid(next), action, productType, productCode, ...extra, attributes: { ...existing, ...location, ...((extra.attributes as Item) ?? {}) } };
}
const under = (parent: Item, child: Item): Item => ({ ...child, parentItemId: parent.orderItemId });

/** Orders that together use every rule of the default catalog. */
function orders(): { name: string; items: Item[] }[] {
  const bundle = (action: OrderItemAction): Item => item('BB-HOME-BUNDLE', 'BUNDLE', action);
  const addBundle = bundle('ADD');
  const addFiber = under(addBundle, item('FIBER-500', 'NETWORK_SERVICE', 'ADD'));
  const offBundle = bundle('DISCONNECT');
  const offFiber = under(offBundle, item('FIBER-500', 'NETWORK_SERVICE', 'DISCONNECT'));
  const moveBundle = bundle('MOVE');
  const modBundle = bundle('MODIFY');
  const digital = (action: OrderItemAction): Item => item('STREAMING-PLUS', 'DIGITAL_SUBSCRIPTION', action);
  return [
    { name: 'bundle ADD', items: [addBundle, addFiber, under(addBundle, item('ROUTER-WIFI6', 'PHYSICAL_DEVICE', 'ADD')), under(addFiber, item('STATIC-IP', 'ADD_ON', 'ADD'))] },
    {
      name: 'bundle DISCONNECT',
      items: [offBundle, offFiber, under(offBundle, item('ROUTER-WIFI6', 'PHYSICAL_DEVICE', 'DISCONNECT')), under(offFiber, item('STATIC-IP', 'ADD_ON', 'DISCONNECT'))],
    },
    { name: 'bundle MOVE', items: [moveBundle, under(moveBundle, item('FIBER-500', 'NETWORK_SERVICE', 'MOVE')), under(moveBundle, item('ROUTER-WIFI6', 'PHYSICAL_DEVICE', 'MOVE'))] },
    { name: 'bundle MODIFY', items: [modBundle, under(modBundle, item('FIBER-500', 'NETWORK_SERVICE', 'MODIFY', { attributes: { downloadMbps: 1000 } }))] },
    { name: 'add-on on an existing service', items: [item('STATIC-IP', 'ADD_ON', 'ADD', { attributes: { parentAssetId: uuid(9999) } })] },
    { name: 'digital ADD', items: [digital('ADD')] },
    { name: 'digital MODIFY', items: [digital('MODIFY')] },
    { name: 'digital DISCONNECT', items: [digital('DISCONNECT')] },
  ];
}

function decomposeItems(items: Item[], namespace: number): FulfillmentPlan {
  const order = parseOrder({ tenantId: 'tenant-a', orderId: uuid(1), orderVersion: 1, completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE', items });
  return decompose(order, defaultCatalog, { idFactory: sequentialIdFactory(namespace) });
}

describe('the default catalog', () => {
  const cases = orders();

  it('is exercised rule by rule by these orders', () => {
    const used = new Set(cases.flatMap(({ items }) => items.map((candidate) => `${String(candidate.productCode)} ${String(candidate.action)}`)));
    const rules = defaultCatalog.products.flatMap((product) => product.decompositions.map((rule) => `${product.productCode} ${rule.action}`));
    expect([...used].sort()).toEqual([...rules].sort());
  });

  it.each(cases.map((entry, index) => [entry.name, entry.items, index] as const))(
    '%s decomposes into a valid plan that runs to the end phase by phase',
    (_name, items, index) => {
      const plan = decomposeItems(items, index + 1);
      expect(fulfillmentPlanSchema.parse(plan)).toEqual(plan);
      let tasks = plan.tasks;
      for (const phase of fulfillmentPhases) {
        for (let step = 0; step <= tasks.length; step += 1) {
          const result = computeReadyTasks(tasks, { at }, { phase });
          tasks = result.tasks;
          const [first] = result.readyTaskIds;
          if (first === undefined) break;
          tasks = tasks.map((task) => (task.taskId === first ? transition(transition(task, 'IN_PROGRESS', { at }), 'COMPLETED', { at }) : task));
        }
      }
      expect(tasks.filter((task) => task.status !== 'COMPLETED').map((task) => `${task.templateId} ${task.status}`)).toEqual([]);
    },
  );

  it('gives every waiting task a timeout and every reversible compensatable task a compensation type', () => {
    for (const [index, { items }] of cases.entries()) {
      for (const task of decomposeItems(items, index + 1).tasks) {
        if (task.executionMode !== 'AUTOMATED_SYNC') expect(task.timeoutPolicy, task.templateId).not.toBeNull();
        if (task.compensationPolicy.compensatable && task.compensationPolicy.reversible !== false) {
          expect(task.compensationPolicy.compensationTaskType, task.templateId).toBeDefined();
        }
      }
    }
  });

  it('removes an add-on before its service when both are disconnected', () => {
    const plan = decomposeItems(cases[1]!.items, 2);
    const fibre = plan.tasks.find((task) => task.taskType === 'DEACTIVATE_SERVICE' && task.inputSnapshot.productCode === 'FIBER-500')!;
    const addOn = plan.tasks.find((task) => task.taskType === 'DEACTIVATE_SERVICE' && task.inputSnapshot.productCode === 'STATIC-IP')!;
    expect(fibre.dependsOn).toEqual([addOn.taskId]);
  });
});
