/** Appends one `audit_log` row: a state change, who made it and under which correlation id. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

/** Values of one audit row. */
export interface InsertAuditLogParams {
  tenantId: string;
  orderId: string | null;
  entityType: string;
  entityId: string;
  action: string;
  stateBefore: string | null;
  stateAfter: string | null;
  details: Record<string, unknown>;
  actor: string;
  correlationId: string;
  /** When the change happened (ISO-8601). */
  at: string;
}

const query = {
  name: 'insert-audit-log',
  text: `insert into audit_log
           (tenant_id, order_id, entity_type, entity_id, action, state_before, state_after, details, actor, correlation_id, at)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
};

/** Appends the row (audit_log is append-only: nothing updates or deletes it). */
export async function insertAuditLog(db: Queryable, params: InsertAuditLogParams): Promise<void> {
  await runQuery(db, query, [
    params.tenantId,
    params.orderId,
    params.entityType,
    params.entityId,
    params.action,
    params.stateBefore,
    params.stateAfter,
    jsonParameter(params.details),
    params.actor,
    params.correlationId,
    params.at,
  ]);
}
