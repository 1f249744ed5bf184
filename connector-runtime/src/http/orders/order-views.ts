/**
 * What the order API answers, and how stored rows become it. Pure mapping: ids keep the domain's
 * names (`orderId`, `fulfillmentPlanId`, `taskId`), times are ISO-8601 strings, absent values null.
 */
import type { OrderItem } from '../../domain/order';
import type { StoredTask } from '../../store/plan-repository';
import type { ApiEvidenceRow } from '../../store/queries/api-select-evidence-of-plan';
import type { ApiExternalCallRow } from '../../store/queries/api-select-external-calls-of-plan';
import type { ApiFalloutCaseRow } from '../../store/queries/api-list-fallout-cases';
import type { ApiOrderSummaryRow } from '../../store/queries/api-list-orders';
import type { ApiOrderViewRow } from '../../store/queries/api-select-order-view';
import type { ApiPlanRow } from '../../store/queries/api-select-latest-plan';
import type { ApiTaskAttemptRow } from '../../store/queries/api-select-task-attempts-of-plan';
import type { OrderItemRow } from '../../store/queries/select-order-items';
import { isoFromColumn, versionFromColumn } from '../../store/rows';

const iso = (value: Date): string => value.toISOString();

/** An order item as the API shows it: the intake's item shape plus its line and status. */
export type OrderItemView = OrderItem & { lineNo: number; status: string };

/** The latest plan of an order, in brief. */
export interface PlanRef {
  fulfillmentPlanId: string;
  status: string;
}

/** The process instance running the latest plan. */
export interface WorkflowRefView {
  processInstanceKey: string;
  status: string;
}

/** `GET /api/v1/orders/{orderId}` (and the 201 of the intake). */
export interface OrderView {
  orderId: string;
  externalRef: string | null;
  /** The accepted quote the order was converted from. */
  quoteId: string | null;
  /** The customer reference the quote carried. */
  customer: Record<string, unknown> | null;
  status: string;
  orderVersion: number;
  completionPolicy: string;
  cancelRequestedAt: string | null;
  createdAt: string;
  updatedAt: string;
  items: OrderItemView[];
  fulfillmentPlan: PlanRef | null;
  workflow: WorkflowRefView | null;
}

/** One order of `GET /api/v1/orders`. */
export type OrderSummaryView = Omit<OrderView, 'items' | 'workflow' | 'cancelRequestedAt' | 'quoteId' | 'customer'> & { itemCount: number };

function planRef(id: string | null, status: string | null): PlanRef | null {
  return id === null || status === null ? null : { fulfillmentPlanId: id, status };
}

/** An item row as the API shows it; the parent is left out when the item has none, as in the intake. */
export function orderItemView(row: OrderItemRow): OrderItemView {
  return {
    orderItemId: row.id,
    ...(row.parent_item_id === null ? {} : { parentItemId: row.parent_item_id }),
    action: row.action as OrderItem['action'],
    productType: row.product_type as OrderItem['productType'],
    productCode: row.product_code,
    quantity: row.quantity,
    attributes: row.attributes as OrderItem['attributes'],
    lineNo: row.line_no,
    status: row.status,
  };
}

/** The order view of a row and its items. */
export function orderView(row: ApiOrderViewRow, items: readonly OrderItemRow[]): OrderView {
  return {
    orderId: row.id,
    externalRef: row.external_ref,
    quoteId: row.quote_id,
    customer: row.customer,
    status: row.status,
    orderVersion: versionFromColumn(row.order_version),
    completionPolicy: row.completion_policy,
    cancelRequestedAt: isoFromColumn(row.cancel_requested_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    items: items.map(orderItemView),
    fulfillmentPlan: planRef(row.fulfillment_plan_id, row.fulfillment_plan_status),
    workflow: row.process_instance_key === null || row.workflow_status === null ? null : { processInstanceKey: row.process_instance_key, status: row.workflow_status },
  };
}

/** One order of a page. */
export function orderSummaryView(row: ApiOrderSummaryRow): OrderSummaryView {
  return {
    orderId: row.id,
    externalRef: row.external_ref,
    status: row.status,
    orderVersion: versionFromColumn(row.order_version),
    completionPolicy: row.completion_policy,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    itemCount: row.item_count,
    fulfillmentPlan: planRef(row.fulfillment_plan_id, row.fulfillment_plan_status),
  };
}

/** A task of the plan view. */
export interface TaskView {
  taskId: string;
  orderItemId: string;
  sequence: number;
  taskType: string;
  phase: string;
  executionMode: string;
  ownerSystem: string;
  required: boolean;
  status: string;
  dependsOn: string[];
  attemptCount: number;
  lastFailure: { code: string | null; message: string | null } | null;
  timeoutPolicy: unknown;
  startedAt: string | null;
  completedAt: string | null;
}

/** `GET /api/v1/orders/{orderId}/fulfillment-plan`. */
export interface PlanView {
  fulfillmentPlanId: string;
  orderId: string;
  orderVersion: number;
  catalogVersion: string;
  completionPolicy: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  tasks: TaskView[];
}

/** A stored task as the API shows it. */
export function taskView(stored: StoredTask): TaskView {
  const { task } = stored;
  const failed = stored.lastFailure.code !== null || stored.lastFailure.message !== null;
  return {
    taskId: task.taskId,
    orderItemId: task.orderItemId,
    sequence: task.sequence,
    taskType: task.taskType,
    phase: task.phase,
    executionMode: task.executionMode,
    ownerSystem: task.ownerSystem,
    required: task.required,
    status: task.status,
    dependsOn: [...task.dependsOn],
    attemptCount: stored.attemptCount,
    lastFailure: failed ? stored.lastFailure : null,
    timeoutPolicy: task.timeoutPolicy ?? null,
    startedAt: stored.startedAt,
    completedAt: task.completedAt ?? null,
  };
}

/** The plan view of a plan row and its tasks. */
export function planView(row: ApiPlanRow, tasks: readonly StoredTask[]): PlanView {
  return {
    fulfillmentPlanId: row.id,
    orderId: row.order_id,
    orderVersion: versionFromColumn(row.order_version),
    catalogVersion: row.catalog_version,
    completionPolicy: row.completion_policy,
    status: row.status,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    completedAt: isoFromColumn(row.completed_at),
    tasks: tasks.map(taskView),
  };
}

/** One attempt of a task (`fulfillment_task_attempt`). */
export function attemptView(row: ApiTaskAttemptRow) {
  return {
    attemptId: row.id,
    attemptNo: row.attempt_no,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    externalSystem: row.external_system,
    externalCorrelationId: row.external_correlation_id,
    failure: row.failure_code === null && row.failure_message === null ? null : { code: row.failure_code, message: row.failure_message },
    startedAt: iso(row.started_at),
    completedAt: isoFromColumn(row.completed_at),
  };
}

/** One request sent to a partner for a task (`external_call_attempt`). */
export function externalCallView(row: ApiExternalCallRow) {
  return {
    externalCallId: row.id,
    externalSystem: row.external_system,
    externalCorrelationId: row.external_correlation_id,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    failure: row.failure_code === null && row.failure_message === null ? null : { code: row.failure_code, message: row.failure_message },
    createdAt: iso(row.created_at),
    submittedAt: isoFromColumn(row.submitted_at),
    completedAt: isoFromColumn(row.completed_at),
  };
}

/** One piece of evidence of a task (`task_evidence`). */
export function evidenceView(row: ApiEvidenceRow) {
  return {
    evidenceId: row.id,
    kind: row.evidence_kind,
    source: row.source_system,
    reference: row.reference,
    externalCorrelationId: row.external_correlation_id,
    recordedBy: row.recorded_by,
    recordedAt: iso(row.recorded_at),
  };
}

/** A task of `GET /api/v1/orders/{orderId}/fulfillment-tasks`, with everything that happened to it. */
export type TaskActivityView = TaskView & {
  attempts: ReturnType<typeof attemptView>[];
  externalCalls: ReturnType<typeof externalCallView>[];
  evidence: ReturnType<typeof evidenceView>[];
};

/** One case of `GET /api/v1/fallout-cases`. */
export function falloutCaseView(row: ApiFalloutCaseRow) {
  return {
    falloutCaseId: row.id,
    orderId: row.order_id,
    orderItemId: row.order_item_id,
    fulfillmentPlanId: row.fulfillment_plan_id,
    fulfillmentTaskId: row.fulfillment_task_id,
    category: row.category,
    severity: row.severity,
    reason: row.reason,
    customerImpact: row.customer_impact,
    retryable: row.retryable,
    requiresManualRepair: row.requires_manual_repair,
    suggestedRepairActions: row.suggested_repair_actions,
    sourceSystem: row.source_system,
    externalCorrelationId: row.external_correlation_id,
    status: row.status,
    assignedTo: row.assigned_to,
    resolution: row.resolution,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    repairedAt: isoFromColumn(row.repaired_at),
    closedAt: isoFromColumn(row.closed_at),
  };
}
