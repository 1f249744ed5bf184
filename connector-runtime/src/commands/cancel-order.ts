/**
 * *Cancel order* (seed §25): eligibility is checked, the request recorded on the order (status
 * CANCEL_REQUESTED with time and reason), an event written, and `order-cancel-requested` queued
 * for the process (keyed by the business key `tenantId:orderId:fulfillmentPlanId`), whose
 * interrupting boundary runs the compensation. An order not yet handed to the workflow is simply
 * CANCELLED: nothing happened outside.
 */
import type pg from 'pg';
import { cancelRequestedMessageName, orderCorrelationKey } from '../jobs/model-names';
import { withTransaction, type Tx } from '../store/database';
import { requestMessageCorrelation } from '../store/message-correlations';
import { loadOrder, orderAggregateType, updateOrderStatus } from '../store/order-repository';
import { selectLatestPlanOfOrder, selectWorkflowRef, setOrderCancelRequest } from '../store/queries/fulfillment-workflow';
import { selectOrder } from '../store/queries/select-order';
import { emitEvent, nowOf, OrderStateError, type CommandDeps } from './command-context';
import { repairMessageTtlMs } from './fallout';

/** What a cancellation needs. */
export interface CancelOrderCommand {
  tenantId: string;
  orderId: string;
  reason: string;
  actor: string;
}

const beforeWorkflow = ['VALIDATED', 'DECOMPOSED'];
const inWorkflow = ['FULFILLMENT_READY', 'IN_FULFILLMENT'];

/** Records the cancellation inside `tx`; returns the order's status afterwards. */
export async function requestCancellationInTx(tx: Tx, command: CancelOrderCommand, at: string): Promise<{ status: string; alreadyRequested: boolean }> {
  const row = await selectOrder(tx, { tenantId: command.tenantId, orderId: command.orderId, forUpdate: true });
  const order = await loadOrder(tx, command);
  if (order.status === 'CANCEL_REQUESTED') return { status: order.status, alreadyRequested: true };
  if (!beforeWorkflow.includes(order.status) && !inWorkflow.includes(order.status)) throw new OrderStateError(order.orderId, order.status, 'cancel');
  const to = beforeWorkflow.includes(order.status) ? 'CANCELLED' : 'CANCEL_REQUESTED';
  await updateOrderStatus(tx, { tenantId: command.tenantId, orderId: command.orderId, expectedVersion: Number(row!.version), to, actor: command.actor, correlationId: command.orderId, reason: command.reason, at });
  await setOrderCancelRequest(tx, [command.tenantId, command.orderId, at, command.reason]);
  const plan = (await selectLatestPlanOfOrder(tx, [command.tenantId, command.orderId]))[0];
  await emitEvent(tx, {
    eventType: 'OrderCancellationRequested',
    tenantId: command.tenantId,
    orderId: command.orderId,
    aggregateType: orderAggregateType,
    aggregateId: command.orderId,
    at,
    payload: { fulfillmentPlanId: plan?.id ?? null, reason: command.reason, status: to },
  });
  if (to === 'CANCEL_REQUESTED' && plan) {
    const ref = (await selectWorkflowRef(tx, [command.tenantId, command.orderId, plan.id]))[0];
    await requestMessageCorrelation(tx, {
      tenantId: command.tenantId,
      // Before the StartRelay started the instance there is no key yet; the message waits in the
      // engine's buffer for the instance's cancel boundary either way.
      processInstanceKey: ref?.process_instance_key ?? 'not-started',
      messageName: cancelRequestedMessageName,
      correlationKey: orderCorrelationKey(command.tenantId, command.orderId, plan.id),
      aggregateType: orderAggregateType,
      aggregateId: command.orderId,
      causeId: command.orderId,
      variables: {},
      timeToLiveMs: repairMessageTtlMs,
    });
  }
  return { status: to, alreadyRequested: false };
}

/** Runs the command in its own transaction. */
export async function cancelOrder(pool: pg.Pool, command: CancelOrderCommand, deps: CommandDeps = {}): Promise<{ status: string; alreadyRequested: boolean }> {
  return withTransaction(pool, (tx) => requestCancellationInTx(tx, command, nowOf(deps)));
}
