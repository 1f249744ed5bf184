import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { parseCatalog, ProductTypeMismatchError, UnknownProductError, UnsupportedActionError } from './catalog';
import { defaultCatalog } from './catalog-default';
import { decompose, DecompositionError } from './decomposition';
import bundleOrder from './fixtures/broadband-bundle.order.json' with { type: 'json' };
import type { FulfillmentPlan, FulfillmentTask } from './fulfillment-plan';
import { sequentialIdFactory } from './id-factory';
import { parseOrder } from './order';
import { snapshotHash } from './snapshot-hash';

const ids = {
  bundle: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0001',
  fiber: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0002',
  router: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0003',
  staticIp: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0004',
  asset: '7a1d1c2a-7f3d-4c1e-9a6b-2d8f4e0caa01',
};

const decomposeBundle = (): FulfillmentPlan => decompose(parseOrder(bundleOrder), defaultCatalog, { idFactory: sequentialIdFactory(0xb1) });

/** The task of an item made from a template. */
function taskOf(plan: FulfillmentPlan, orderItemId: string, templateId: string): FulfillmentTask {
  const found = plan.tasks.find((task) => task.orderItemId === orderItemId && task.templateId === templateId);
  if (!found) throw new Error(`no task ${templateId} for item ${orderItemId}`);
  return found;
}

describe('decomposing the broadband bundle', () => {
  it('is deterministic for a given id factory', () => {
    expect(decomposeBundle()).toEqual(decomposeBundle());
  });

  it('takes the plan id first, then one id per task in item and template order', () => {
    const plan = decomposeBundle();
    expect(plan.fulfillmentPlanId).toBe('000000b1-0000-4000-8000-000000000001');
    expect(plan.tasks.map((task) => task.taskId.slice(-2))).toEqual(['02', '03', '04', '05', '06', '07', '08', '09', '0a', '0b', '0c', '0d', '0e', '0f', '10']);
    expect(plan.tasks.map((task) => task.sequence)).toEqual(plan.tasks.map((_, index) => index + 1));
    expect(plan).toMatchObject({ status: 'CREATED', orderVersion: 7, completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE', catalogVersion: 'telecom-broadband-2026.1' });
  });

  it('chains the network service: serviceability -> reservation -> provisioning -> billing, installed base after provisioning', () => {
    const plan = decomposeBundle();
    const check = taskOf(plan, ids.fiber, 'serviceability');
    const reserve = taskOf(plan, ids.fiber, 'reserve-resource');
    const provision = taskOf(plan, ids.fiber, 'provisioning');
    expect(check).toMatchObject({ status: 'READY', dependsOn: [], phase: 'VALIDATION', executionMode: 'AUTOMATED_SYNC', ownerSystem: 'inventory-adapter' });
    expect(reserve).toMatchObject({ status: 'PENDING', dependsOn: [check.taskId], phase: 'RESERVATION' });
    expect(provision).toMatchObject({ dependsOn: [reserve.taskId], executionMode: 'AUTOMATED_ASYNC', ownerSystem: 'provisioning-adapter' });
    expect(taskOf(plan, ids.fiber, 'billing').dependsOn).toEqual([provision.taskId]);
    expect(taskOf(plan, ids.fiber, 'installed-base').dependsOn).toEqual([provision.taskId]);
  });

  it('makes the add-on wait for its parent service at each step', () => {
    const plan = decomposeBundle();
    expect(taskOf(plan, ids.staticIp, 'reserve-ip').dependsOn).toEqual([taskOf(plan, ids.fiber, 'reserve-resource').taskId]);
    expect(taskOf(plan, ids.staticIp, 'provisioning').dependsOn).toEqual([
      taskOf(plan, ids.fiber, 'provisioning').taskId,
      taskOf(plan, ids.staticIp, 'reserve-ip').taskId,
    ]);
    expect(taskOf(plan, ids.staticIp, 'billing').dependsOn).toEqual([
      taskOf(plan, ids.fiber, 'billing').taskId,
      taskOf(plan, ids.staticIp, 'provisioning').taskId,
    ]);
  });

  it('ships the router only after the line was found serviceable, and installs it after provisioning', () => {
    const plan = decomposeBundle();
    expect(taskOf(plan, ids.router, 'schedule-shipment').dependsOn).toEqual([taskOf(plan, ids.fiber, 'serviceability').taskId]);
    expect(taskOf(plan, ids.router, 'installation')).toMatchObject({
      executionMode: 'MANUAL',
      dependsOn: [taskOf(plan, ids.fiber, 'provisioning').taskId, taskOf(plan, ids.router, 'confirm-shipment').taskId],
    });
  });

  it('updates the bundle in the installed base after its children, and notifies last, optionally', () => {
    const plan = decomposeBundle();
    expect(taskOf(plan, ids.bundle, 'installed-base').dependsOn).toEqual([
      taskOf(plan, ids.fiber, 'installed-base').taskId,
      taskOf(plan, ids.router, 'installed-base').taskId,
    ]);
    expect(taskOf(plan, ids.bundle, 'welcome-notification')).toMatchObject({ required: false, phase: 'COMPLETION' });
  });

  it('copies the policies of each template, with defaults filled in', () => {
    const plan = decomposeBundle();
    expect(taskOf(plan, ids.fiber, 'reserve-resource')).toMatchObject({
      retryPolicy: { maxAttempts: 3, backoff: 'PT30S' },
      timeoutPolicy: { timeout: 'PT10M', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT' },
      compensationPolicy: { compensatable: true, compensationTaskType: 'RELEASE_RESOURCE' },
    });
    expect(taskOf(plan, ids.fiber, 'provisioning')).toMatchObject({
      retryPolicy: { maxAttempts: 5, backoff: 'PT1M' },
      timeoutPolicy: { timeout: 'PT2H', softReminderBefore: 'PT30M', onTimeout: 'OPEN_FALLOUT' },
    });
  });

  it('hashes the canonical input snapshot of each task', () => {
    const plan = decomposeBundle();
    for (const task of plan.tasks) expect(task.inputSnapshotHash).toBe(snapshotHash(task.inputSnapshot as never));
    expect(taskOf(plan, ids.fiber, 'serviceability').inputSnapshot).toMatchObject({
      orderVersion: 7,
      action: 'ADD',
      productCode: 'FIBER-500',
      characteristics: { downloadMbps: 500, uploadMbps: 100, siteAddress: { city: 'Jakarta' } },
      taskType: 'CHECK_SERVICEABILITY',
    });
  });

  it('gives new hashes to a new order version, the same ones to an unchanged order', () => {
    const plan = decomposeBundle();
    const next = decompose(parseOrder({ ...bundleOrder, orderVersion: 8 }), defaultCatalog, { idFactory: sequentialIdFactory(0xb1) });
    const again = decomposeBundle();
    plan.tasks.forEach((task, index) => {
      expect(next.tasks[index]!.inputSnapshotHash).not.toBe(task.inputSnapshotHash);
      expect(again.tasks[index]!.inputSnapshotHash).toBe(task.inputSnapshotHash);
    });
  });
});

describe('decomposition errors', () => {
  const one = (item: Record<string, unknown>): ReturnType<typeof parseOrder> =>
    parseOrder({ ...bundleOrder, items: [{ orderItemId: ids.fiber, ...item }] });

  it('rejects an unknown product code', () => {
    const siteAddress = { line1: 'Jl. Sudirman 12', city: 'Jakarta', postalCode: '10220', countryCode: 'ID' };
    const order = one({ action: 'ADD', productType: 'NETWORK_SERVICE', productCode: 'FIBER-9000', attributes: { siteAddress } });
    expect(() => decompose(order, defaultCatalog, { idFactory: sequentialIdFactory() })).toThrow(UnknownProductError);
  });

  it('rejects an action the product has no rule for', () => {
    const order = one({ action: 'MODIFY', productType: 'PHYSICAL_DEVICE', productCode: 'ROUTER-WIFI6', attributes: { existingAssetId: ids.asset } });
    expect(() => decompose(order, defaultCatalog, { idFactory: sequentialIdFactory() })).toThrow(UnsupportedActionError);
  });

  it('rejects an item whose product type contradicts the catalog', () => {
    const order = one({ action: 'ADD', productType: 'DIGITAL_SUBSCRIPTION', productCode: 'FIBER-500' });
    expect(() => decompose(order, defaultCatalog, { idFactory: sequentialIdFactory() })).toThrow(ProductTypeMismatchError);
  });

  it('re-checks the order rules', () => {
    const order = parseOrder(bundleOrder);
    const broken = { ...order, items: order.items.filter((item) => item.orderItemId !== ids.fiber) };
    expect(() => decompose(broken, defaultCatalog, { idFactory: sequentialIdFactory() })).toThrow(ValidationError);
  });

  it('rejects a catalog whose rules form a cycle across items', () => {
    const template = (templateId: string, taskType: string, dependsOn: unknown[]): unknown => ({
      templateId,
      taskType,
      phase: 'PROVISIONING',
      executionMode: 'AUTOMATED_SYNC',
      ownerSystem: 'provisioning-adapter',
      dependsOn,
      compensationPolicy: { compensatable: false },
    });
    const catalog = parseCatalog({
      catalogVersion: 'cyclic-1',
      defaults: { retryPolicy: { maxAttempts: 1, backoff: 'PT1S' } },
      products: [
        {
          productCode: 'FIBER-500',
          productType: 'NETWORK_SERVICE',
          name: 'Fibre',
          decompositions: [
            { action: 'ADD', tasks: [template('svc', 'CREATE_PROVISIONING_REQUEST', [{ scope: 'CHILD_ITEMS', taskType: 'RESERVE_RESOURCE' }])] },
          ],
        },
        {
          productCode: 'STATIC-IP',
          productType: 'ADD_ON',
          name: 'IP',
          decompositions: [
            { action: 'ADD', tasks: [template('ip', 'RESERVE_RESOURCE', [{ scope: 'PARENT_ITEM', taskType: 'CREATE_PROVISIONING_REQUEST' }])] },
          ],
        },
      ],
    });
    // The fibre service on its own, with the static IP add-on under it.
    const order = parseOrder({ ...bundleOrder, items: [{ ...bundleOrder.items[1], parentItemId: undefined }, bundleOrder.items[3]] });
    let caught: unknown;
    try {
      decompose(order, catalog, { idFactory: sequentialIdFactory() });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecompositionError);
    expect((caught as DecompositionError).code).toBe('DECOMPOSITION.INVALID_PLAN');
    expect((caught as DecompositionError).message).toContain('dependency cycle: ');
  });
});

describe('an add-on on an existing service', () => {
  it('has no parent tasks to wait for', () => {
    const order = parseOrder({
      ...bundleOrder,
      items: [{ orderItemId: ids.staticIp, action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP', attributes: { parentAssetId: ids.asset } }],
    });
    const plan = decompose(order, defaultCatalog, { idFactory: sequentialIdFactory() });
    expect(plan.tasks.map((task) => [task.templateId, task.dependsOn.length])).toEqual([
      ['reserve-ip', 0],
      ['provisioning', 1],
      ['billing', 1],
      ['installed-base', 1],
    ]);
    expect(plan.tasks[0]!.inputSnapshot.parentAssetId).toBe(ids.asset);
  });
});
