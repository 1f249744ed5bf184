/**
 * The read side of the order API: each function answers one route from one consistent snapshot
 * (`withReadSnapshot`) and names the tenant in every statement, so another tenant's order is
 * exactly as absent as an unknown one.
 */
import type pg from 'pg';
import { NotFoundError } from '../../errors';
import type { Queryable } from '../../store/database';
import { loadPlanTasks } from '../../store/plan-repository';
import { apiListFalloutCases } from '../../store/queries/api-list-fallout-cases';
import { apiListOrders } from '../../store/queries/api-list-orders';
import { apiSelectEvidenceOfPlan } from '../../store/queries/api-select-evidence-of-plan';
import { apiSelectExternalCallsOfPlan } from '../../store/queries/api-select-external-calls-of-plan';
import { apiSelectLatestPlan, type ApiPlanRow } from '../../store/queries/api-select-latest-plan';
import { apiSelectOrderTimeline } from '../../store/queries/api-select-order-timeline';
import { apiSelectOrderView } from '../../store/queries/api-select-order-view';
import { apiSelectTaskAttemptsOfPlan } from '../../store/queries/api-select-task-attempts-of-plan';
import { selectOrder } from '../../store/queries/select-order';
import { selectOrderItems } from '../../store/queries/select-order-items';
import { versionFromColumn } from '../../store/rows';
import { encodeCursor, type PageKey } from './cursor';
import {
  attemptView,
  evidenceView,
  externalCallView,
  falloutCaseView,
  orderSummaryView,
  orderView,
  planView,
  taskView,
  type OrderSummaryView,
  type OrderView,
  type PlanView,
  type TaskActivityView,
} from './order-views';
import { withReadSnapshot } from './read-snapshot';

/** One page of a list and the cursor of the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The most entries one timeline answer holds. */
export const timelineCap = 1000;

/** One entry of an order's timeline: when, what kind, and the kind's fields. */
export type TimelineEntry = { at: string; kind: string } & Record<string, unknown>;

/** `GET /api/v1/orders/{orderId}/timeline`. */
export interface TimelineView {
  orderId: string;
  entries: TimelineEntry[];
  /** True when the order has more than {@link timelineCap} entries; the earliest ones are shown. */
  truncated: boolean;
}

async function assertOrderExists(db: Queryable, tenantId: string, orderId: string): Promise<void> {
  if (!(await selectOrder(db, { tenantId, orderId }))) throw new NotFoundError('order', orderId);
}

// Fetches one row more than the page: its presence is what says another page exists.
function page<Row extends { id: string; cursor_at: string }, T>(rows: Row[], limit: number, view: (row: Row) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(view), nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null };
}

/** The tenant's order with its items, latest plan and workflow ref, and the row version (the ETag). */
export async function readOrderView(pool: pg.Pool, tenantId: string, orderId: string): Promise<{ view: OrderView; version: number }> {
  return withReadSnapshot(pool, async (db) => {
    const row = await apiSelectOrderView(db, { tenantId, orderId });
    if (!row) throw new NotFoundError('order', orderId);
    const items = await selectOrderItems(db, { tenantId, orderId });
    return { view: orderView(row, items), version: versionFromColumn(row.version) };
  });
}

/** One page of the tenant's orders, newest first. */
export async function listOrders(pool: pg.Pool, tenantId: string, query: { status?: string[] | undefined; limit: number; cursor?: PageKey | undefined }): Promise<Page<OrderSummaryView>> {
  const rows = await apiListOrders(pool, { tenantId, statuses: query.status, after: query.cursor, limit: query.limit + 1 });
  return page(rows, query.limit, orderSummaryView);
}

async function latestPlanOf(db: Queryable, tenantId: string, orderId: string): Promise<ApiPlanRow> {
  await assertOrderExists(db, tenantId, orderId);
  const plan = await apiSelectLatestPlan(db, { tenantId, orderId });
  if (!plan) throw new NotFoundError('plan', `of order ${orderId}`);
  return plan;
}

/** The order's latest plan with its tasks; 404 for an unknown order and for an order without a plan yet. */
export async function readPlanView(pool: pg.Pool, tenantId: string, orderId: string): Promise<PlanView> {
  return withReadSnapshot(pool, async (db) => {
    const plan = await latestPlanOf(db, tenantId, orderId);
    return planView(plan, await loadPlanTasks(db, { tenantId, fulfillmentPlanId: plan.id }));
  });
}

function byTask<Row extends { fulfillment_task_id: string }>(rows: readonly Row[]): Map<string, Row[]> {
  const grouped = new Map<string, Row[]>();
  for (const row of rows) grouped.set(row.fulfillment_task_id, [...(grouped.get(row.fulfillment_task_id) ?? []), row]);
  return grouped;
}

/** The tasks of the order's latest plan, each with its attempts, external calls and evidence. */
export async function readTaskActivity(pool: pg.Pool, tenantId: string, orderId: string): Promise<{ orderId: string; fulfillmentPlanId: string; tasks: TaskActivityView[] }> {
  return withReadSnapshot(pool, async (db) => {
    const plan = await latestPlanOf(db, tenantId, orderId);
    const params = { tenantId, fulfillmentPlanId: plan.id };
    const tasks = await loadPlanTasks(db, params);
    const attempts = byTask(await apiSelectTaskAttemptsOfPlan(db, params));
    const calls = byTask(await apiSelectExternalCallsOfPlan(db, params));
    const evidence = byTask(await apiSelectEvidenceOfPlan(db, params));
    return {
      orderId,
      fulfillmentPlanId: plan.id,
      tasks: tasks.map((stored) => ({
        ...taskView(stored),
        attempts: (attempts.get(stored.task.taskId) ?? []).map(attemptView),
        externalCalls: (calls.get(stored.task.taskId) ?? []).map(externalCallView),
        evidence: (evidence.get(stored.task.taskId) ?? []).map(evidenceView),
      })),
    };
  });
}

/** Everything that happened to the order, oldest first, at most {@link timelineCap} entries. */
export async function readTimeline(pool: pg.Pool, tenantId: string, orderId: string): Promise<TimelineView> {
  return withReadSnapshot(pool, async (db) => {
    await assertOrderExists(db, tenantId, orderId);
    const rows = await apiSelectOrderTimeline(db, { tenantId, orderId, limit: timelineCap + 1 });
    return {
      orderId,
      entries: rows.slice(0, timelineCap).map((row) => ({ at: row.at.toISOString(), kind: row.kind, ...row.data })),
      truncated: rows.length > timelineCap,
    };
  });
}

/** One page of the tenant's fallout cases, newest first. */
export async function listFalloutCases(
  pool: pg.Pool,
  tenantId: string,
  query: { status: string[]; category?: string[] | undefined; ownerSystem?: string | undefined; limit: number; cursor?: PageKey | undefined },
): Promise<Page<ReturnType<typeof falloutCaseView>>> {
  const rows = await apiListFalloutCases(pool, {
    tenantId,
    statuses: query.status,
    categories: query.category,
    sourceSystem: query.ownerSystem,
    after: query.cursor,
    limit: query.limit + 1,
  });
  return page(rows, query.limit, falloutCaseView);
}
