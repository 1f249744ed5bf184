/**
 * What the runtime asks of an external system (docs/architecture.md §1, seed §9–§10, §23): one adapter per
 * system, one call per task attempt, always with the external idempotency key
 * `tenantId:orderId:taskId:attemptPurpose`, so a retried job never doubles a side effect. Handlers
 * see only this interface; the HTTP client and the simulator implement it.
 *
 * Error mapping (seed §15): a `TransientError` (`PARTNER.UNAVAILABLE`: 5xx, 429, timeout, network)
 * is retried by the job; a {@link PartnerRejectedError} (4xx: the partner said no) is business
 * fallout; anything else is a bug.
 */
import { z } from 'zod';
import { FalloutError } from '../errors';
import type { FulfillmentTaskType } from '../domain/vocabulary';

/**
 * External systems reached through partner adapters; the first five also send callbacks
 * (`externalSystems`); notification and streaming answer every request at once.
 */
export const partnerSystems = ['inventory', 'provisioning', 'shipping', 'billing', 'appointment', 'notification', 'streaming'] as const;
/** One of {@link partnerSystems}. */
export type PartnerSystem = (typeof partnerSystems)[number];

/**
 * The partner system of a catalog owner system (`inventory-adapter` -> `inventory`); undefined for
 * owners the runtime serves itself (`installed-base`, `tasklist`).
 */
export function partnerSystemOf(ownerSystem: string): PartnerSystem | undefined {
  const name = ownerSystem.replace(/-adapter$/, '');
  return (partnerSystems as readonly string[]).includes(name) ? (name as PartnerSystem) : undefined;
}

/** One request to a partner. */
export interface PartnerRequest {
  tenantId: string;
  orderId: string;
  orderItemId: string;
  /** The fulfillment task or compensation task the request is made for. */
  taskId: string;
  taskType: FulfillmentTaskType;
  /** `tenantId:orderId:taskId:attemptPurpose` (seed §9); the partner performs a key once. */
  idempotencyKey: string;
  /** Our id of this request; an asynchronous partner echoes it in its callback. */
  externalCorrelationId: string;
  /** The task's input snapshot (seed §2): what the partner works on. */
  input: Record<string, unknown>;
}

/** JSON value of a partner result. */
export type PartnerJson = z.core.util.JSONType;

/** What a partner answered. */
export type PartnerOutcome =
  /** Done synchronously: `reference` is the partner's id of the effect (reservation, shipment...). */
  | { kind: 'DONE'; reference: string; result: Record<string, PartnerJson> }
  /** Accepted for asynchronous work: a signed callback naming `externalCorrelationId` follows. */
  | { kind: 'ACCEPTED'; reference: string };

/** An external system behind one adapter. */
export interface PartnerAdapter {
  readonly system: PartnerSystem;
  /** Performs (or, for a known idempotency key, repeats the answer of) one request. */
  perform(request: PartnerRequest): Promise<PartnerOutcome>;
}

/** The partner refused the request for a business reason (HTTP 4xx): the task goes to fallout. */
export class PartnerRejectedError extends FalloutError {
  constructor(system: PartnerSystem, status: number, partnerCode: string, message: string) {
    super('PARTNER.REJECTED', `${system} rejected the request (${status} ${partnerCode}): ${message}`, { system, status, partnerCode });
  }
}

/**
 * The body every partner callback carries (POST /api/v1/integrations/<system>/callbacks), signed
 * with Standard Webhooks. The message it leads to is the system's entry in `callbackMessages`.
 */
export const partnerCallbackSchema = z.strictObject({
  externalCorrelationId: z.string().min(1).max(256),
  outcome: z.enum(['SUCCEEDED', 'FAILED']),
  reference: z.string().min(1).max(256).optional(),
  reason: z.string().max(500).optional(),
  result: z.record(z.string(), z.json()).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
/** See {@link partnerCallbackSchema}. */
export type PartnerCallback = z.infer<typeof partnerCallbackSchema>;
