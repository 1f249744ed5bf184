/**
 * The golden timeline of an order (seed §27 "Golden Flow Tests"): what fulfillment did, read from
 * the OMS tables and the engine, as stable text — ids, keys, tokens and times normalised, and no
 * order that depends on timing between concurrent branches. test/golden/README.md explains the
 * normalisation; `golden-timelines.int.test.ts` compares the files.
 */
import type { RuntimeHarness } from './runtime-harness';

/** Stable names for ids, numbered in a deterministic order of first use. */
class Tokens {
  private readonly names = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  set(id: string, name: string): void {
    this.names.set(id, name);
  }

  /** The id's name, or a new `<kind>#<n>`. */
  of(id: string | null, kind: string): string {
    if (id === null) return '-';
    const known = this.names.get(id);
    if (known) return known;
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const name = `${kind}#${n}`;
    this.names.set(id, name);
    return name;
  }

  /** Replaces every known id (and any other uuid) inside a text. */
  text(value: string): string {
    return value.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => this.of(id, 'id'));
  }
}

/** Text order with numbers compared as numbers (`task#2` before `task#12`). */
const naturally = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

const failureCode = (message: string | null): string => (message === null ? '' : (message.match(/^[A-Z][A-Z_.]+/)?.[0] ?? 'ERROR'));

/** Builds the timeline text of one order. */
export async function goldenTimeline(h: RuntimeHarness, orderId: string, title: string): Promise<string> {
  const db = h.runtime.pool;
  const p = [h.tenantId, orderId];
  const q = async <T extends object>(text: string, params: unknown[] = p): Promise<T[]> => (await db.query<T>(text, params)).rows;
  const tokens = new Tokens();
  tokens.set(orderId, 'order');
  tokens.set(h.tenantId, 'tenant');

  const [order] = await q<{ status: string }>('select status from customer_order where tenant_id = $1 and id = $2');
  const items = await q<{ id: string; line_no: number; action: string; product_code: string; parent_item_id: string | null }>(
    'select id, line_no, action, product_code, parent_item_id from order_item where tenant_id = $1 and order_id = $2 order by line_no',
  );
  for (const item of items) tokens.set(item.id, `item#${item.line_no}`);
  const [plan] = await q<{ id: string; status: string }>('select id, status from fulfillment_plan where tenant_id = $1 and order_id = $2');
  tokens.set(plan!.id, 'plan');
  const [execution] = await q<{ id: string; status: string }>('select id, status from fulfillment_execution where tenant_id = $1 and order_id = $2');
  if (execution) tokens.set(execution.id, 'execution');
  const [ref] = await q<{ status: string; process_instance_key: string }>('select status, process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2');
  const tasks = await q<{ id: string; sequence: number; task_type: string; execution_mode: string; owner_system: string; required: boolean; status: string; order_item_id: string }>(
    'select id, sequence, task_type, execution_mode, owner_system, required, status, order_item_id from fulfillment_task where tenant_id = $1 and order_id = $2 order by sequence',
  );
  for (const task of tasks) tokens.set(task.id, `task#${task.sequence}`);
  const attempts = await q<{ id: string; fulfillment_task_id: string; attempt_no: number; status: string; external_system: string | null; failure_code: string | null }>(
    'select id, fulfillment_task_id, attempt_no, status, external_system, failure_code from fulfillment_task_attempt where tenant_id = $1 and order_id = $2 order by attempt_no',
  );
  for (const attempt of attempts) tokens.set(attempt.id, `${tokens.of(attempt.fulfillment_task_id, 'task')}/attempt#${attempt.attempt_no}`);
  const fallout = await q<{ id: string; category: string; status: string; fulfillment_task_id: string | null; resolution: string | null }>(
    'select id, category, status, fulfillment_task_id, resolution from fallout_case where tenant_id = $1 and order_id = $2 order by created_at, id',
  );
  fallout.forEach((row, index) => tokens.set(row.id, `fallout#${index + 1}`));
  const compensation = await q<{ id: string; status: string }>('select id, status from compensation_plan where tenant_id = $1 and order_id = $2 order by created_at', p);
  compensation.forEach((row, index) => tokens.set(row.id, `compensation#${index + 1}`));
  const steps = await q<{ id: string; compensation_plan_id: string; sequence: number | null; compensation_task_type: string | null; source_task_id: string; manual_review: boolean; status: string; attempt_count: number }>(
    `select t.id, t.compensation_plan_id, t.sequence, t.compensation_task_type, t.source_task_id, t.manual_review, t.status, t.attempt_count
       from compensation_task t join compensation_plan c on c.tenant_id = t.tenant_id and c.id = t.compensation_plan_id
      where c.tenant_id = $1 and c.order_id = $2 order by c.created_at, t.sequence nulls last, t.source_task_id`,
  );
  // Manual-review steps have no sequence; their source task's plan sequence orders them.
  steps.forEach((step) => tokens.set(step.id, `${tokens.of(step.compensation_plan_id, 'compensation')}/step:${tokens.of(step.source_task_id, 'task')}`));
  const assets = await q<{ asset_id: string; product_code: string; version_no: number; status: string; made: boolean; closed: boolean }>(
    `select v.asset_id, v.product_code, v.version_no, v.status, v.source_order_id = $2 as made,
            coalesce(v.closed_by_order_item_id in (select id from order_item where tenant_id = $1 and order_id = $2), false) as closed
       from asset_version v
      where v.tenant_id = $1 and v.asset_id in (
        select asset_id from asset_version where tenant_id = $1 and (source_order_id = $2 or closed_by_order_item_id in (select id from order_item where tenant_id = $1 and order_id = $2)))
      order by v.product_code, (select a.created_at from installed_base_asset a where a.tenant_id = v.tenant_id and a.id = v.asset_id), v.asset_id, v.version_no`,
  );
  for (const asset of assets) tokens.of(asset.asset_id, `asset:${asset.product_code}`);

  const lines: string[] = [`# ${title}`, ''];
  lines.push('order items:');
  for (const item of items) lines.push(`  item#${item.line_no} ${item.action} ${item.product_code}${item.parent_item_id ? ` (in ${tokens.of(item.parent_item_id, 'item')})` : ''}`);

  const orderAudit = await q<{ state_before: string | null; state_after: string | null }>(
    `select state_before, state_after from audit_log where tenant_id = $1 and entity_type = 'Order' and entity_id = $2 and action in ('ORDER_PLACED', 'STATUS_CHANGED') order by id`,
  );
  lines.push('', `order states: ${orderAudit.map((row) => row.state_after).join(' > ')}`);

  const taskAudit = await q<{ entity_id: string; state_before: string | null; state_after: string | null }>(
    `select entity_id, state_before, state_after from audit_log where tenant_id = $1 and order_id = $2 and entity_type = 'FulfillmentTask' and state_after is not null order by id`,
  );
  const evidence = await q<{ fulfillment_task_id: string; evidence_kind: string }>(
    `select fulfillment_task_id, evidence_kind from task_evidence where tenant_id = $1 and order_id = $2 and fulfillment_task_id is not null order by evidence_kind`,
  );
  lines.push('', 'tasks (plan sequence: type, item, mode, owner, required; states in audit order; attempts; evidence):');
  for (const task of tasks) {
    const item = items.find((candidate) => candidate.id === task.order_item_id)!;
    const states = taskAudit.filter((row) => row.entity_id === task.id);
    const path = [states[0]?.state_before ?? task.status, ...states.map((row) => row.state_after)].join(' > ');
    lines.push(`  task#${task.sequence} ${task.task_type} (item#${item.line_no} ${item.action} ${item.product_code}, ${task.execution_mode}, ${task.owner_system}${task.required ? '' : ', optional'}): ${task.status}`);
    lines.push(`    states: ${path}`);
    for (const attempt of attempts.filter((candidate) => candidate.fulfillment_task_id === task.id)) {
      lines.push(`    attempt#${attempt.attempt_no}: ${attempt.status}${attempt.external_system ? ` at ${attempt.external_system}` : ''}${attempt.failure_code ? ` (${attempt.failure_code})` : ''}`);
    }
    const kinds = [...new Set(evidence.filter((row) => row.fulfillment_task_id === task.id).map((row) => row.evidence_kind))];
    lines.push(`    evidence: ${kinds.length > 0 ? kinds.join(', ') : '-'}`);
  }

  const calls = await q<{ fulfillment_task_id: string | null; compensation_task_id: string | null; external_system: string; status: string; failure_code: string | null; id: string }>(
    `select c.id, c.fulfillment_task_id, c.compensation_task_id, c.external_system, c.status, c.failure_code from external_call_attempt c where c.tenant_id = $1 and c.order_id = $2`,
  );
  const inbox = await q<{ external_call_attempt_id: string | null; processed: boolean; processing_error: string | null }>(
    `select i.external_call_attempt_id, i.processed_at is not null as processed, i.processing_error from callback_inbox i
      join external_call_attempt c on c.tenant_id = i.tenant_id and c.id = i.external_call_attempt_id where i.tenant_id = $1 and c.order_id = $2`,
  );
  const callName = (call: (typeof calls)[number]) =>
    call.fulfillment_task_id ? tokens.of(call.fulfillment_task_id, 'task') : call.compensation_task_id ? tokens.of(call.compensation_task_id, 'step') : 'order';
  const callLines = calls.map((call) => {
    const callbacks = inbox.filter((row) => row.external_call_attempt_id === call.id).map((row) => (row.processing_error ? `callback ${failureCode(row.processing_error)}` : row.processed ? 'callback processed' : 'callback unprocessed'));
    return `  ${callName(call)} ${call.external_system}: ${call.status}${call.failure_code ? ` (${call.failure_code})` : ''}${callbacks.length > 0 ? `; ${callbacks.sort().join(', ')}` : ''}`;
  });
  // Several calls of one task are numbered by the attempt that made them; text order is enough to make them stable.
  lines.push('', 'external calls (by subject; callbacks received):', ...(callLines.length > 0 ? callLines.sort(naturally) : ['  -']));

  const correlations = await q<{ message_name: string; correlation_key: string; status: string; cause_id: string }>(
    `select message_name, correlation_key, status, cause_id from workflow_message_correlation where tenant_id = $1 and correlation_key like $2`,
    [h.tenantId, `${h.tenantId}:${orderId}%`],
  );
  const correlationLines = correlations.map((row) => {
    const subject = row.correlation_key.split(':').slice(2).join(':');
    return `  ${row.message_name} ${subject ? tokens.of(subject, 'subject') : 'order'} ${row.status}`;
  });
  lines.push('', 'message correlations:', ...(correlationLines.length > 0 ? correlationLines.sort(naturally) : ['  -']));

  lines.push('', 'fallout cases (in opening order):');
  if (fallout.length === 0) lines.push('  -');
  for (const row of fallout) lines.push(`  ${tokens.of(row.id, 'fallout')} ${row.category} on ${row.fulfillment_task_id ? tokens.of(row.fulfillment_task_id, 'task') : 'plan'}: ${row.status}${row.resolution ? ` (${row.resolution.split(':')[0]})` : ''}`);

  lines.push('', 'compensation:');
  if (compensation.length === 0) lines.push('  -');
  for (const plan of compensation) {
    lines.push(`  ${tokens.of(plan.id, 'compensation')}: ${plan.status}`);
    // The steps' sequence follows the completion order of their source tasks, which concurrent
    // branches make vary: listed by source task, without it (the process tests assert the order).
    const planSteps = steps.filter((candidate) => candidate.compensation_plan_id === plan.id).map((step) => ({ step, source: tokens.of(step.source_task_id, 'task') }));
    for (const { step, source } of planSteps.sort((a, b) => naturally(a.source, b.source))) {
      lines.push(`    ${step.compensation_task_type ?? 'MANUAL_REVIEW'} of ${source}: ${step.status}${step.manual_review ? ' (manual review)' : ''}`);
    }
  }

  lines.push('', 'installed base (assets this order touched; versions):');
  if (assets.length === 0) lines.push('  -');
  for (const asset of assets) {
    lines.push(`  ${tokens.of(asset.asset_id, `asset:${asset.product_code}`)} v${asset.version_no} ${asset.product_code} ${asset.status}${asset.made ? ', made by this order' : ''}${asset.closed ? ', closed by this order' : ''}`);
  }

  const outbox = await q<{ aggregate_type: string; aggregate_id: string; event_type: string }>(
    'select aggregate_type, aggregate_id, event_type from outbox where tenant_id = $1 and correlation_id = $2 order by id',
  );
  const byAggregate = new Map<string, string[]>();
  for (const event of outbox) {
    const key = `${event.aggregate_type} ${tokens.of(event.aggregate_id, 'aggregate')}`;
    byAggregate.set(key, [...(byAggregate.get(key) ?? []), event.event_type]);
  }
  const aggregateOrder = (key: string) => {
    const [type, name] = key.split(' ') as [string, string];
    const rank = ['Order', 'FulfillmentPlan', 'FulfillmentTask', 'FalloutCase', 'Compensation', 'InstalledBaseAsset'].indexOf(type);
    const number = Number(name.match(/#(\d+)/)?.[1] ?? 0);
    return [rank === -1 ? 99 : rank, name.replace(/#\d+.*/, ''), number, name] as const;
  };
  const sortedAggregates = [...byAggregate.keys()].sort((a, b) => {
    const [ra, na, xa, fa] = aggregateOrder(a);
    const [rb, nb, xb, fb] = aggregateOrder(b);
    return ra - rb || na.localeCompare(nb) || xa - xb || fa.localeCompare(fb);
  });
  lines.push('', `events per aggregate, in write order (${outbox.length} in all):`);
  for (const key of sortedAggregates) lines.push(`  ${key}: ${byAggregate.get(key)!.join(', ')}`);

  const instance = ref ? await h.engineRest<{ state: string }>('GET', `/process-instances/${ref.process_instance_key}`) : undefined;
  lines.push('', 'end state:');
  lines.push(`  order ${order!.status}, plan ${plan!.status}, execution ${execution?.status ?? '-'}, workflow ref ${ref?.status ?? '-'}, process instance ${instance?.state ?? '-'}`);
  return `${tokens.text(lines.join('\n'))}\n`;
}
