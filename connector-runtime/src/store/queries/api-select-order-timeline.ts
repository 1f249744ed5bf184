/**
 * "What happened to this order": one list in time order merging its audit rows, outbox events,
 * partner callbacks, message correlations, fallout cases and compensation plans and steps. Sorted
 * and capped in PostgreSQL, at microsecond precision, by (at, kind rank, row id): a stable order
 * even when one transaction wrote several rows at the same instant.
 */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** One timeline entry: when, what kind, and the kind's own fields (JSON, timestamps as ISO-8601 text). */
export interface ApiTimelineRow {
  at: Date;
  kind: string;
  data: Record<string, unknown>;
}

/** The kinds of entry, in the order they take when they happened at the same instant. */
export const apiTimelineKinds = ['audit', 'event', 'fallout-case', 'compensation-plan', 'compensation-step', 'callback', 'message'] as const;

// Timestamps inside `data` are formatted like Date.prototype.toISOString, so every time of the answer reads alike.
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const rank = (kind: (typeof apiTimelineKinds)[number]) => apiTimelineKinds.indexOf(kind);

// $1 tenant, $2 order id, $3 the order's correlation-key prefix (`<tenant>:<order>:`), $4 the cap.
const query = {
  name: 'api-select-order-timeline',
  text: `select at, kind, data from (
           select a.at, 'audit' as kind, ${rank('audit')} as kind_rank, lpad(a.id::text, 20, '0') as tie,
                  jsonb_build_object('entityType', a.entity_type, 'entityId', a.entity_id, 'action', a.action,
                    'stateBefore', a.state_before, 'stateAfter', a.state_after, 'actor', a.actor, 'details', a.details) as data
             from audit_log a where a.tenant_id = $1 and a.order_id = $2
           union all
           select e.occurred_at, 'event', ${rank('event')}, lpad(e.id::text, 20, '0'),
                  jsonb_build_object('eventId', e.event_id, 'eventType', e.event_type, 'aggregateType', e.aggregate_type,
                    'aggregateId', e.aggregate_id, 'publishedAt', ${iso('e.published_at')})
             from outbox e where e.tenant_id = $1 and e.correlation_id = $2::text
           union all
           select f.created_at, 'fallout-case', ${rank('fallout-case')}, f.id::text,
                  jsonb_build_object('falloutCaseId', f.id, 'fulfillmentTaskId', f.fulfillment_task_id, 'category', f.category,
                    'severity', f.severity, 'reason', f.reason, 'status', f.status, 'repairedAt', ${iso('f.repaired_at')},
                    'closedAt', ${iso('f.closed_at')})
             from fallout_case f where f.tenant_id = $1 and f.order_id = $2
           union all
           select cp.created_at, 'compensation-plan', ${rank('compensation-plan')}, cp.id::text,
                  jsonb_build_object('compensationPlanId', cp.id, 'fulfillmentPlanId', cp.fulfillment_plan_id, 'reason', cp.reason,
                    'status', cp.status, 'completedAt', ${iso('cp.completed_at')})
             from compensation_plan cp where cp.tenant_id = $1 and cp.order_id = $2
           union all
           select ct.created_at, 'compensation-step', ${rank('compensation-step')}, ct.id::text,
                  jsonb_build_object('compensationTaskId', ct.id, 'compensationPlanId', ct.compensation_plan_id,
                    'sourceTaskId', ct.source_task_id, 'compensationTaskType', ct.compensation_task_type, 'sequence', ct.sequence,
                    'manualReview', ct.manual_review, 'ownerSystem', ct.owner_system, 'status', ct.status,
                    'startedAt', ${iso('ct.started_at')}, 'completedAt', ${iso('ct.completed_at')})
             from compensation_task ct
             join compensation_plan cp on cp.tenant_id = ct.tenant_id and cp.id = ct.compensation_plan_id
            where ct.tenant_id = $1 and cp.order_id = $2
           union all
           select cb.received_at, 'callback', ${rank('callback')}, cb.id::text,
                  jsonb_build_object('callbackId', cb.id, 'sourceSystem', cb.source_system, 'webhookId', cb.webhook_id,
                    'externalCorrelationId', cb.external_correlation_id, 'fulfillmentTaskId', c.fulfillment_task_id,
                    'compensationTaskId', c.compensation_task_id, 'processedAt', ${iso('cb.processed_at')},
                    'processingError', cb.processing_error)
             from callback_inbox cb
             join external_call_attempt c on c.tenant_id = cb.tenant_id and c.id = cb.external_call_attempt_id
            where cb.tenant_id = $1 and c.order_id = $2
           union all
           select m.created_at, 'message', ${rank('message')}, m.id::text,
                  jsonb_build_object('messageCorrelationId', m.id, 'messageName', m.message_name, 'correlationKey', m.correlation_key,
                    'status', m.status, 'correlatedAt', ${iso('m.correlated_at')}, 'lastError', m.last_error)
             from workflow_message_correlation m where m.tenant_id = $1 and starts_with(m.correlation_key, $3::text)
         ) entries
         order by at, kind_rank, tie
         limit $4`,
};

/** The first `limit` entries of the order's timeline, oldest first. */
export async function apiSelectOrderTimeline(db: Queryable, params: { tenantId: string; orderId: string; limit: number }): Promise<ApiTimelineRow[]> {
  const keyPrefix = `${params.tenantId}:${params.orderId}:`;
  return (await runQuery<ApiTimelineRow>(db, query, [params.tenantId, params.orderId, keyPrefix, params.limit])).rows;
}
