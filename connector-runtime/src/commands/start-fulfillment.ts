/**
 * *Start fulfillment* (seed §6): in one transaction, decompose the validated order with the
 * catalog, persist the plan, create the plan's execution, record the workflow start request and
 * `OrderFulfillmentRequested`, and move the order to FULFILLMENT_READY. The StartRelay then starts
 * the process once per business key. A second call for the same order version changes nothing and
 * returns the same plan and execution.
 */
import type pg from 'pg';
import { defaultCatalog } from '../domain/catalog-default';
import type { Catalog } from '../domain/catalog';
import { decompose } from '../domain/decomposition';
import { randomIdFactory, type IdFactory } from '../domain/id-factory';
import type { Order } from '../domain/order';
import { withTransaction } from '../store/database';
import { insertOrder, loadOrder, orderAggregateType, updateOrderStatus } from '../store/order-repository';
import { persistPlan } from '../store/plan-repository';
import { insertFulfillmentExecution, selectPlanOfOrderVersion } from '../store/queries/fulfillment-workflow';
import { selectOrder } from '../store/queries/select-order';
import { requestWorkflowStart } from '../relays/start-relay';
import { audit, emitEvent, nowOf, OrderStateError, type CommandActor, type CommandDeps } from './command-context';

/** What start fulfillment needs. */
export interface StartFulfillmentCommand extends CommandActor {
  tenantId: string;
  orderId: string;
  /** Default: the packaged catalog. */
  catalog?: Catalog;
  idFactory?: IdFactory;
}

/** What it returns, the same on a repeat. */
export interface StartFulfillmentResult {
  fulfillmentPlanId: string;
  executionId: string;
  workflowStartRequestId: string;
  /** False when the plan already existed (a repeated call). */
  created: boolean;
}

/** Runs the command (see the module comment). */
export async function startFulfillment(pool: pg.Pool, command: StartFulfillmentCommand, deps: CommandDeps = {}): Promise<StartFulfillmentResult> {
  const idFactory = command.idFactory ?? randomIdFactory;
  return withTransaction(pool, async (tx) => {
    const row = await selectOrder(tx, { tenantId: command.tenantId, orderId: command.orderId, forUpdate: true });
    const order = await loadOrder(tx, { tenantId: command.tenantId, orderId: command.orderId });
    const at = nowOf(deps);
    // The execution and the start request exist once per plan; a repeat finds them.
    const executionAndStart = async (fulfillmentPlanId: string) => {
      const [execution] = await insertFulfillmentExecution(tx, [idFactory(), command.tenantId, command.orderId, fulfillmentPlanId, at]);
      const startRequestId = await requestWorkflowStart(tx, {
        tenantId: command.tenantId,
        requestId: idFactory(),
        orderId: command.orderId,
        fulfillmentPlanId,
        variables: { orderVersion: order.orderVersion },
      });
      return { executionId: execution!.id, workflowStartRequestId: startRequestId };
    };
    const existing = (await selectPlanOfOrderVersion(tx, [command.tenantId, command.orderId, order.orderVersion]))[0];
    if (existing) return { fulfillmentPlanId: existing.id, ...(await executionAndStart(existing.id)), created: false };
    if (order.status !== 'VALIDATED' && order.status !== 'DECOMPOSED') throw new OrderStateError(order.orderId, order.status, 'start fulfillment');

    const domainOrder: Order = {
      tenantId: order.tenantId,
      orderId: order.orderId,
      orderVersion: order.orderVersion,
      completionPolicy: order.completionPolicy,
      items: order.items,
    };
    const plan = decompose(domainOrder, command.catalog ?? defaultCatalog, { idFactory });
    await persistPlan(tx, plan);
    const started = await executionAndStart(plan.fulfillmentPlanId);
    await updateOrderStatus(tx, {
      tenantId: command.tenantId,
      orderId: command.orderId,
      expectedVersion: Number(row!.version),
      to: 'FULFILLMENT_READY',
      actor: command.actor,
      correlationId: command.orderId,
      reason: `plan ${plan.fulfillmentPlanId} persisted with ${plan.tasks.length} tasks`,
      at,
    });
    await emitEvent(tx, {
      eventType: 'OrderFulfillmentRequested',
      tenantId: command.tenantId,
      orderId: command.orderId,
      aggregateType: orderAggregateType,
      aggregateId: command.orderId,
      at,
      payload: {
        fulfillmentPlanId: plan.fulfillmentPlanId,
        executionId: started.executionId,
        orderVersion: order.orderVersion,
        catalogVersion: plan.catalogVersion,
        taskCount: plan.tasks.length,
        status: 'FULFILLMENT_READY',
      },
    });
    return { fulfillmentPlanId: plan.fulfillmentPlanId, ...started, created: true };
  });
}

/**
 * Records a validated order (status VALIDATED) for fulfillment: the intake step before
 * {@link startFulfillment}. A repeat of the same order id is refused by the primary key.
 */
export async function placeValidatedOrder(
  pool: pg.Pool,
  order: Order,
  command: CommandActor & { externalRef?: string; quoteId?: string; customer?: Record<string, unknown> },
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await insertOrder(tx, order, {
      ...(command.externalRef === undefined ? {} : { externalRef: command.externalRef }),
      ...(command.quoteId === undefined ? {} : { quoteId: command.quoteId }),
      ...(command.customer === undefined ? {} : { customer: command.customer }),
    });
    await audit(tx, { tenantId: order.tenantId, orderId: order.orderId, entityType: orderAggregateType, entityId: order.orderId, action: 'ORDER_PLACED', stateAfter: 'VALIDATED', details: { items: order.items.length, quoteId: command.quoteId ?? null }, actor: command.actor, at: new Date().toISOString() });
  });
}
