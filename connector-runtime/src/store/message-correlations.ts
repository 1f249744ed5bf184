/**
 * The write side of message correlation (seed §10–§11, §21): a verified partner callback or an
 * operator command records, in the transaction that accepted it, the message the process waits
 * for; `relays/correlation-relay.ts` publishes it to the engine. A message is unique per
 * (tenant, message name, correlation key, cause), so the same callback twice is one message and a
 * retried task's new attempt gets its own (docs/decisions/0003-message-correlation-key.md).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { Queryable, Tx } from './database';
import { insertMessageCorrelation } from './queries/insert-message-correlation';
import { selectMessageCorrelations } from './queries/select-message-correlations';
import { isoFromColumn } from './rows';

/** What to correlate, and what caused it. */
export const messageCorrelationRequestSchema = z.strictObject({
  /** Id of the row and the engine's messageId; default a random UUID. */
  id: z.uuid().optional(),
  tenantId: z.string().min(1).max(64),
  /** The instance expected to receive the message (for operations; the engine routes by key). */
  processInstanceKey: z.string().min(1).max(128),
  messageName: z.string().min(1).max(128),
  /** The model's key, `tenantId:orderId:taskId` for task messages. */
  correlationKey: z.string().min(1).max(256),
  aggregateType: z.string().min(1).max(64),
  aggregateId: z.uuid(),
  /** The external call attempt, fallout case or order whose message this is. */
  causeId: z.uuid(),
  /** Small message variables (seed §5: ids and outcome flags). */
  variables: z.record(z.string(), z.unknown()).optional(),
  /** How long the engine buffers the message when no catch is open yet. */
  timeToLiveMs: z.number().int().min(0),
});
/** See {@link messageCorrelationRequestSchema}. */
export type MessageCorrelationRequest = z.infer<typeof messageCorrelationRequestSchema>;

/** The correlation of a request: its id, whether this call wrote it, and its status. */
export interface MessageCorrelationReceipt {
  id: string;
  inserted: boolean;
  status: string;
}

/**
 * Records, inside the caller's transaction, a message for CorrelationRelay to publish. Idempotent
 * per cause: a repeat returns the existing row with `inserted: false` (its status may already be
 * CORRELATED). An invalid request is a `ValidationError`.
 */
export async function requestMessageCorrelation(tx: Tx, request: MessageCorrelationRequest): Promise<MessageCorrelationReceipt> {
  const parsed = messageCorrelationRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ValidationError(
      `message correlation ${String(request.messageName)} is invalid`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const valid = parsed.data;
  return insertMessageCorrelation(tx, { ...valid, id: valid.id ?? randomUUID(), variables: valid.variables ?? {} });
}

/** A stored message correlation. */
export interface StoredMessageCorrelation {
  id: string;
  tenantId: string;
  processInstanceKey: string;
  messageName: string;
  correlationKey: string;
  aggregateType: string;
  aggregateId: string;
  causeId: string;
  /** PENDING, CORRELATED (published to the engine), FAILED or EXPIRED. */
  status: string;
  variables: Record<string, unknown>;
  timeToLiveMs: number;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
  correlatedAt: string | null;
}

/** The tenant's message correlations, oldest first, optionally of one aggregate or one key. */
export async function listMessageCorrelations(
  db: Queryable,
  params: { tenantId: string; aggregateId?: string; correlationKey?: string },
): Promise<StoredMessageCorrelation[]> {
  const rows = await selectMessageCorrelations(db, params);
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    processInstanceKey: row.process_instance_key,
    messageName: row.message_name,
    correlationKey: row.correlation_key,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    causeId: row.cause_id,
    status: row.status,
    variables: row.variables,
    timeToLiveMs: Number(row.time_to_live_ms),
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: isoFromColumn(row.created_at)!,
    nextAttemptAt: isoFromColumn(row.next_attempt_at)!,
    correlatedAt: isoFromColumn(row.correlated_at),
  }));
}
