/**
 * *Load fulfillment plan for the workflow* (seed §7): the first job of a process instance and the
 * top of every phase loop. It loads the order and plan, checks that the plan belongs to the order
 * and that both can be executed, binds the plan's execution to the process instance (a second
 * instance of the same plan is refused: the StartRelay's crash window, seed §6), starts the plan
 * (CREATED -> IN_PROGRESS, order IN_FULFILLMENT, `FulfillmentPlanExecutionStarted`) and returns the
 * ready tasks. Every step is idempotent: a retried or repeated load changes nothing more.
 */
import type pg from 'pg';
import { BusinessError } from '../errors';
import { validatePlan } from '../domain/plan-validation';
import type { FulfillmentPhase } from '../domain/vocabulary';
import { withTransaction } from '../store/database';
import { loadOrder, updateOrderStatus } from '../store/order-repository';
import { loadPlan, planAggregateType, updatePlanStatus } from '../store/plan-repository';
import { bindExecutionInstance, selectExecutionForUpdate } from '../store/queries/fulfillment-workflow';
import { selectOrder } from '../store/queries/select-order';
import { NotFoundError } from '../errors';
import { emitEvent, lockPlan, nowOf, StaleOrderVersionError, type CommandActor, type CommandDeps } from './command-context';
import { promoteAndRoute, type PlanRouting } from './plan-routing';

/** What the load needs. */
export interface LoadFulfillmentPlanCommand extends CommandActor {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** Restricts the ready tasks to one phase (a phase loop); absent at the top-level load. */
  phase?: FulfillmentPhase | undefined;
  processInstanceKey: string;
  /** The order version the workflow was started for (seed §5), when the variables carry it. */
  orderVersion?: number | undefined;
}

/** The answer (seed §7). */
export interface LoadFulfillmentPlanResult extends PlanRouting {
  planValid: boolean;
  executionId: string;
  falloutReason: string | null;
  /** True when this call started the plan (first top-level load). */
  started: boolean;
}

/** A second process instance tried to execute a plan that another instance already runs. */
export class DuplicateInstanceError extends BusinessError {
  constructor(planId: string, boundKey: string, otherKey: string) {
    super('WORKFLOW.DUPLICATE_INSTANCE', `plan ${planId} is executed by process instance ${boundKey}; instance ${otherKey} must be cancelled`, {
      planId,
      boundKey,
      otherKey,
    });
  }
}

const executableOrderStatuses = ['FULFILLMENT_READY', 'IN_FULFILLMENT'];

/** Runs the command (see the module comment). */
export async function loadFulfillmentPlan(pool: pg.Pool, command: LoadFulfillmentPlanCommand, deps: CommandDeps = {}): Promise<LoadFulfillmentPlanResult> {
  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    await lockPlan(tx, command);
    const execution = (await selectExecutionForUpdate(tx, [command.tenantId, command.orderId, command.fulfillmentPlanId]))[0];
    if (!execution) throw new NotFoundError('execution', `${command.orderId}/${command.fulfillmentPlanId}`);
    if (execution.process_instance_key !== null && execution.process_instance_key !== command.processInstanceKey) {
      throw new DuplicateInstanceError(command.fulfillmentPlanId, execution.process_instance_key, command.processInstanceKey);
    }
    const invalid = (reason: string): LoadFulfillmentPlanResult => ({
      planValid: false,
      executionId: execution.id,
      readyTaskIds: [],
      moreReadyTasks: false,
      allRequiredTasksDone: false,
      falloutReason: reason.slice(0, 500),
      started: false,
    });

    const order = await loadOrder(tx, { tenantId: command.tenantId, orderId: command.orderId });
    if (command.orderVersion !== undefined && command.orderVersion !== order.orderVersion) {
      throw new StaleOrderVersionError(order.orderId, command.orderVersion, order.orderVersion);
    }
    const stored = await loadPlan(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId });
    const { plan } = stored;
    if (plan.orderId !== order.orderId) return invalid(`plan ${plan.fulfillmentPlanId} does not belong to order ${order.orderId}`);

    // A phase load inside a running plan only reports; cancellation stops new work from starting.
    if (command.phase !== undefined) {
      if (order.status === 'CANCEL_REQUESTED') return { ...invalid('cancellation requested'), planValid: true, falloutReason: null };
      const routing = await promoteAndRoute(tx, { ...command, at });
      return { planValid: true, executionId: execution.id, falloutReason: null, started: false, ...routing };
    }

    if (!executableOrderStatuses.includes(order.status)) return invalid(`order is ${order.status}, not executable`);
    if (plan.orderVersion !== order.orderVersion) return invalid(`plan was made for order version ${plan.orderVersion}, the order is at ${order.orderVersion}`);
    if (plan.status !== 'CREATED' && plan.status !== 'IN_PROGRESS') return invalid(`plan is ${plan.status}`);
    const validation = validatePlan(plan);
    if (!validation.valid) return invalid(`plan is invalid: ${validation.violations.map((violation) => violation.message).join('; ')}`);

    let started = false;
    if (execution.process_instance_key === null) await bindExecutionInstance(tx, [execution.id, command.processInstanceKey]);
    if (plan.status === 'CREATED') {
      await updatePlanStatus(tx, {
        tenantId: command.tenantId,
        fulfillmentPlanId: plan.fulfillmentPlanId,
        expectedVersion: stored.version,
        to: 'IN_PROGRESS',
        actor: command.actor,
        correlationId: command.orderId,
        reason: `executed by process instance ${command.processInstanceKey}`,
        at,
      });
      const orderRow = await selectOrder(tx, { tenantId: command.tenantId, orderId: command.orderId, forUpdate: true });
      if (order.status === 'FULFILLMENT_READY') {
        await updateOrderStatus(tx, {
          tenantId: command.tenantId,
          orderId: command.orderId,
          expectedVersion: Number(orderRow!.version),
          to: 'IN_FULFILLMENT',
          actor: command.actor,
          correlationId: command.orderId,
          at,
        });
      }
      await emitEvent(tx, {
        eventType: 'FulfillmentPlanExecutionStarted',
        tenantId: command.tenantId,
        orderId: command.orderId,
        aggregateType: planAggregateType,
        aggregateId: plan.fulfillmentPlanId,
        at,
        payload: { fulfillmentPlanId: plan.fulfillmentPlanId, executionId: execution.id, processInstanceKey: command.processInstanceKey, status: 'IN_PROGRESS' },
      });
      started = true;
    }
    const routing = await promoteAndRoute(tx, { ...command, at });
    return { planValid: true, executionId: execution.id, falloutReason: null, started, ...routing };
  });
  if (result.started) deps.metrics?.processStarted.inc({ tenant_id: command.tenantId });
  return result;
}
