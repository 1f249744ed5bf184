/**
 * The core invariant of seed §30, as one assertion every process test on the real runtime ends
 * with: "an order is not fulfilled because the BPMN process ended; it is fulfilled because every
 * required fulfillment task reached a valid terminal state, required external effects were
 * evidenced, asset impact was applied consistently, and the order domain service atomically
 * persisted the final transition with audit and events."
 *
 * It is split in two so it can be proven to fail: {@link readInvariantState} reads what the OMS
 * tables and the engine say, {@link fulfillmentInvariantViolations} (pure) lists what breaks the
 * invariant, and {@link expectFulfillmentInvariant} expects that list to be empty.
 *
 * - COMPLETED: every required task COMPLETED or SKIPPED; every required completed task has its
 *   effect evidenced — a partner task a SUCCEEDED attempt and partner evidence, an asynchronous one
 *   (AUTOMATED_ASYNC, WAIT_ONLY) a CALLBACK evidence pointing at a processed callback_inbox row, a
 *   manual one a MANUAL_DECISION, an installed-base one an ASSET_IMPACT; every order item's asset
 *   impact is in asset_version (a version it made, or the version it closed).
 * - Every end state: no task still IN_PROGRESS or WAITING, no attempt of a finished task still
 *   STARTED or SUBMITTED, no fallout case OPEN or IN_REPAIR; the
 *   order's last status change, its STATUS_CHANGED audit row and its end event were written by one
 *   transaction — the transaction ids of the three writes (from the harness's write trace, see
 *   `installWriteTrace`) are equal, and so is the `xmin` of the order row and of the audit row, which
 *   nothing updates afterwards (the outbox row's `xmin` is not used: the relay's publish updates it);
 *   the engine left nothing behind: the process instance is no longer ACTIVE, and it has no ACTIVE
 *   element instance (so no job, timer or message wait), no ACTIVE incident and no open user task.
 */
import { expect } from 'vitest';
import type { RuntimeHarness } from './runtime-harness';

/** End states of an order (seed §3). */
export const orderEndStates = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'] as const;

const endEventOf: Record<string, string> = {
  COMPLETED: 'OrderFulfillmentCompleted',
  PARTIALLY_COMPLETED: 'OrderFulfillmentCompleted',
  FAILED_WITH_FALLOUT: 'OrderFulfillmentFailed',
  CANCELLED: 'OrderFulfillmentCancelled',
  COMPENSATED: 'OrderFulfillmentCancelled',
  MANUAL_CLOSED: 'OrderFulfillmentClosed',
};

/** One task as the invariant sees it. */
export interface InvariantTask {
  sequence: number;
  taskType: string;
  executionMode: string;
  ownerSystem: string;
  required: boolean;
  status: string;
  /** Status of each attempt, oldest first. */
  attempts: string[];
  /** Evidence kinds recorded for the task; CALLBACK only when its callback_inbox row was processed. */
  evidence: string[];
}

/** Transaction ids of the final transition's three writes, as 32-bit xids (`xmin` is one). */
export interface FinalTransition {
  /** The trace's transaction of the order row's update to its end state. */
  orderUpdateTx: string | null;
  /** `xmin` of the order row as it is now. */
  orderXmin: string | null;
  /** The trace's transaction of the STATUS_CHANGED audit row to the end state. */
  auditTx: string | null;
  auditXmin: string | null;
  /** The trace's transaction of the end event's outbox row. */
  outboxTx: string | null;
}

/** What the engine says about the order's process instance. */
export interface EngineLeftovers {
  processInstanceState: string | null;
  activeElements: string[];
  activeIncidents: string[];
  openUserTasks: string[];
}

/** Everything the invariant needs, read once. */
export interface InvariantState {
  orderId: string;
  orderStatus: string;
  tasks: InvariantTask[];
  /** Order items as `action productCode`, each with whether its asset impact is in asset_version. */
  items: { label: string; impactApplied: boolean }[];
  openFalloutCases: string[];
  finalTransition: FinalTransition;
  engine: EngineLeftovers;
}

const partnerOwners = /-adapter$/;
const asyncModes = ['AUTOMATED_ASYNC', 'WAIT_ONLY'];

/** The violations of the invariant in `state` (empty when it holds); pure. */
export function fulfillmentInvariantViolations(state: InvariantState): string[] {
  const violations: string[] = [];
  const endState = (orderEndStates as readonly string[]).includes(state.orderStatus);
  if (!endState) return [`order ${state.orderId} is ${state.orderStatus}, not in an end state`];
  const name = (task: InvariantTask) => `task #${task.sequence} ${task.taskType}`;

  if (state.orderStatus === 'COMPLETED') {
    for (const task of state.tasks.filter((candidate) => candidate.required)) {
      if (!['COMPLETED', 'SKIPPED'].includes(task.status)) {
        violations.push(`${name(task)} is ${task.status} on a COMPLETED order (required tasks end COMPLETED or SKIPPED)`);
        continue;
      }
      if (task.status !== 'COMPLETED') continue;
      if (partnerOwners.test(task.ownerSystem)) {
        if (task.attempts.at(-1) !== 'SUCCEEDED') violations.push(`${name(task)} completed, but its last attempt is ${task.attempts.at(-1) ?? 'missing'}, not SUCCEEDED`);
        const wanted = asyncModes.includes(task.executionMode) ? 'CALLBACK' : 'PARTNER_RESPONSE';
        if (!task.evidence.includes(wanted)) violations.push(`${name(task)} completed without ${wanted} evidence of its external effect`);
      } else if (task.executionMode === 'MANUAL') {
        if (!task.evidence.includes('MANUAL_DECISION')) violations.push(`${name(task)} completed without a MANUAL_DECISION evidence`);
      } else if (task.ownerSystem === 'installed-base') {
        if (!task.evidence.includes('ASSET_IMPACT')) violations.push(`${name(task)} completed without an ASSET_IMPACT evidence`);
      }
    }
    for (const item of state.items) if (!item.impactApplied) violations.push(`the asset impact of item ${item.label} is not in the installed base`);
  }

  for (const task of state.tasks) {
    if (task.status === 'IN_PROGRESS' || task.status === 'WAITING') violations.push(`${name(task)} is still ${task.status} at end state ${state.orderStatus}`);
    else {
      const open = task.attempts.find((attempt) => attempt === 'STARTED' || attempt === 'SUBMITTED');
      if (open) violations.push(`${name(task)} is ${task.status}, but an attempt of it is still ${open}`);
    }
  }
  for (const open of state.openFalloutCases) violations.push(`fallout case ${open} is still open at end state ${state.orderStatus}`);

  const tx = state.finalTransition;
  const writes = { 'order update tx': tx.orderUpdateTx, 'order row xmin': tx.orderXmin, 'audit row tx': tx.auditTx, 'audit row xmin': tx.auditXmin, 'end event tx': tx.outboxTx };
  const missing = Object.entries(writes).filter(([, value]) => value === null).map(([what]) => what);
  if (missing.length > 0) violations.push(`the final transition to ${state.orderStatus} has no ${missing.join(', ')}`);
  else if (new Set(Object.values(writes)).size !== 1) {
    violations.push(`the final transition was not one transaction: ${Object.entries(writes).map(([what, value]) => `${what} ${value}`).join(', ')}`);
  }

  const engine = state.engine;
  if (engine.processInstanceState === null || engine.processInstanceState === 'ACTIVE') violations.push(`the process instance is ${engine.processInstanceState ?? 'missing'}, not ended`);
  for (const element of engine.activeElements) violations.push(`element ${element} is still ACTIVE in the engine`);
  for (const incident of engine.activeIncidents) violations.push(`incident ${incident} is still ACTIVE in the engine`);
  for (const task of engine.openUserTasks) violations.push(`user task ${task} is still open in the engine`);
  return violations;
}

/** The 32-bit xid of a `txid_current()` value, comparable with `xmin`. */
const xid = (txid: string | null | undefined): string | null => (txid === null || txid === undefined ? null : String(BigInt(txid) % 4294967296n));

interface SearchResult<T> {
  items: T[];
}

async function readEngine(h: RuntimeHarness, orderId: string): Promise<EngineLeftovers> {
  const key = await h.processInstanceKey(orderId);
  if (!key) return { processInstanceState: null, activeElements: [], activeIncidents: [], openUserTasks: [] };
  // The OMS reaches its end state inside the last job; the instance ends when that job completes.
  const instance = await h
    .until(
      'the process instance to end',
      async () => {
        const found = await h.engineRest<{ state: string }>('GET', `/process-instances/${key}`);
        return found.state === 'ACTIVE' ? undefined : found;
      },
      10_000,
    )
    .catch(async () => h.engineRest<{ state: string }>('GET', `/process-instances/${key}`));
  const page = { limit: 1000 };
  const elements = await h.engineRest<SearchResult<{ elementId: string; type: string }>>('POST', '/element-instances/search', { filter: { processInstanceKey: key, state: 'ACTIVE' }, page });
  const incidents = await h.engineRest<SearchResult<{ elementId: string; errorType: string; errorMessage: string }>>('POST', '/incidents/search', { filter: { processInstanceKey: key, state: 'ACTIVE' }, page });
  const userTasks = await h.engineRest<SearchResult<{ elementId: string }>>('POST', '/user-tasks/search', { filter: { processInstanceKey: key, state: 'CREATED' }, page });
  return {
    processInstanceState: instance.state,
    activeElements: elements.items.map((element) => `${element.elementId} (${element.type})`),
    activeIncidents: incidents.items.map((incident) => `${incident.elementId}: ${incident.errorType} ${incident.errorMessage}`),
    openUserTasks: userTasks.items.map((task) => task.elementId),
  };
}

/** Reads the invariant's state of an order from the OMS tables, the write trace and the engine. */
export async function readInvariantState(h: RuntimeHarness, orderId: string): Promise<InvariantState> {
  const db = h.runtime.pool;
  const params = [h.tenantId, orderId];
  const order = (await db.query<{ status: string; xmin: string }>('select status, xmin::text as xmin from customer_order where tenant_id = $1 and id = $2', params)).rows[0];
  if (!order) throw new Error(`order ${orderId} not found`);
  const tasks = await db.query<{ id: string; sequence: number; task_type: string; execution_mode: string; owner_system: string; required: boolean; status: string }>(
    'select id, sequence, task_type, execution_mode, owner_system, required, status from fulfillment_task where tenant_id = $1 and order_id = $2 order by sequence',
    params,
  );
  const attempts = await db.query<{ fulfillment_task_id: string; status: string }>('select fulfillment_task_id, status from fulfillment_task_attempt where tenant_id = $1 and order_id = $2 order by attempt_no', params);
  const evidence = await db.query<{ fulfillment_task_id: string; evidence_kind: string; callback_processed: boolean | null }>(
    `select e.fulfillment_task_id, e.evidence_kind, i.processed_at is not null as callback_processed
       from task_evidence e left join callback_inbox i on i.tenant_id = e.tenant_id and i.id = e.callback_inbox_id
      where e.tenant_id = $1 and e.order_id = $2 and e.fulfillment_task_id is not null`,
    params,
  );
  const items = await db.query<{ id: string; action: string; product_code: string; applied: boolean }>(
    `select i.id, i.action, i.product_code,
            exists (select 1 from asset_version v where v.tenant_id = i.tenant_id and (v.source_order_item_id = i.id or v.closed_by_order_item_id = i.id)) as applied
       from order_item i where i.tenant_id = $1 and i.order_id = $2 order by i.line_no`,
    params,
  );
  const fallout = await db.query<{ category: string; status: string }>(`select category, status from fallout_case where tenant_id = $1 and order_id = $2 and status in ('OPEN', 'IN_REPAIR') order by created_at`, params);

  const endEvent = endEventOf[order.status];
  const audit = (
    await db.query<{ id: string; xmin: string }>(
      `select id::text as id, xmin::text as xmin from audit_log where tenant_id = $1 and entity_type = 'Order' and entity_id = $2 and action = 'STATUS_CHANGED' and state_after = $3 order by id desc limit 1`,
      [h.tenantId, orderId, order.status],
    )
  ).rows[0];
  const outbox = (
    await db.query<{ event_id: string }>(`select event_id from outbox where tenant_id = $1 and aggregate_type = 'Order' and aggregate_id = $2 and event_type = $3 order by id desc limit 1`, [
      h.tenantId,
      orderId,
      endEvent ?? '',
    ])
  ).rows[0];
  const traced = async (table: string, key: string | undefined, status?: string) =>
    key === undefined
      ? null
      : xid(
          (
            await db.query<{ txid: string }>(
              `select txid::text as txid from test_write_trace where table_name = $1 and row_key = $2 and ($3::text is null or (operation = 'UPDATE' and status = $3)) order by id desc limit 1`,
              [table, key, status ?? null],
            )
          ).rows[0]?.txid,
        );

  return {
    orderId,
    orderStatus: order.status,
    tasks: tasks.rows.map((task) => ({
      sequence: task.sequence,
      taskType: task.task_type,
      executionMode: task.execution_mode,
      ownerSystem: task.owner_system,
      required: task.required,
      status: task.status,
      attempts: attempts.rows.filter((attempt) => attempt.fulfillment_task_id === task.id).map((attempt) => attempt.status),
      evidence: evidence.rows.filter((row) => row.fulfillment_task_id === task.id && (row.evidence_kind !== 'CALLBACK' || row.callback_processed === true)).map((row) => row.evidence_kind),
    })),
    items: items.rows.map((item) => ({ label: `${item.action} ${item.product_code}`, impactApplied: item.applied })),
    openFalloutCases: fallout.rows.map((row) => `${row.category} (${row.status})`),
    finalTransition: {
      orderUpdateTx: await traced('customer_order', orderId, order.status),
      orderXmin: order.xmin,
      auditTx: await traced('audit_log', audit?.id),
      auditXmin: audit?.xmin ?? null,
      outboxTx: await traced('outbox', outbox?.event_id),
    },
    engine: await readEngine(h, orderId),
  };
}

/** Expects the §30 invariant to hold for the order (see the module comment). */
export async function expectFulfillmentInvariant(h: RuntimeHarness, orderId: string): Promise<void> {
  const state = await readInvariantState(h, orderId);
  expect(fulfillmentInvariantViolations(state), `the §30 invariant of order ${orderId} (${state.orderStatus})`).toEqual([]);
}
