/**
 * zod schemas of what the API answers, for the document only: the routes build their answers from
 * typed views (`http/orders/order-views.ts`, the commands' results), which have no zod schema of
 * their own. Objects are open (`looseObject`) so that a field added to a view does not make the
 * document wrong, only incomplete; request bodies, by contrast, come from the routers' own schemas.
 */
import { z } from 'zod';
import { orderItemSchema } from '../../domain/order';
import { completionPolicies, externalSystems, falloutCaseStatuses, orderStatuses } from '../../domain/vocabulary';

const timestamp = z.iso.datetime({ offset: true });
const nullableTimestamp = timestamp.nullable();
const failure = z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable();

/** RFC 9457 problem details, as `http/problem.ts` writes them. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem (`urn:fulfillment-pack:problem:<code>` for a typed error, else `about:blank`).'),
    title: z.string().describe('The reason phrase of `status`.'),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional().describe('What went wrong, for people.'),
    instance: z.string().optional().describe('The request target the problem is about.'),
    code: z.string().optional().describe('A stable error code, e.g. `TASK.INVALID_TRANSITION`.'),
    requestId: z.string().optional().describe('The `X-Request-Id` of the exchange, to find the server log line.'),
    errors: z
      .array(z.object({ path: z.string().describe('Dotted path of the field, e.g. `body.reason`.'), message: z.string() }))
      .optional()
      .describe('Every invalid field (400).'),
  })
  .describe('RFC 9457 problem details');

/** `GET /health`. */
export const healthSchema = z.object({ status: z.literal('UP') });

/** `GET /ready`. */
export const readinessSchema = z.object({
  status: z.enum(['UP', 'DOWN']),
  checks: z.array(z.object({ name: z.string(), status: z.enum(['UP', 'DOWN']), reason: z.string().optional() })),
});

const planRefSchema = z.object({ fulfillmentPlanId: z.uuid(), status: z.string() }).nullable();

/** An order item as the API shows it: the intake's item plus its line number and status. */
export const orderItemViewSchema = orderItemSchema.extend({ lineNo: z.number().int(), status: z.string() });

/** `GET /api/v1/orders/{orderId}` and the 201 of the intake. */
export const orderViewSchema = z.looseObject({
  orderId: z.uuid(),
  externalRef: z.string().nullable(),
  status: z.enum(orderStatuses),
  orderVersion: z.number().int(),
  completionPolicy: z.enum(completionPolicies),
  cancelRequestedAt: nullableTimestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  items: z.array(orderItemViewSchema),
  fulfillmentPlan: planRefSchema,
  workflow: z.object({ processInstanceKey: z.string(), status: z.string() }).nullable(),
});

/** One order of `GET /api/v1/orders`. */
export const orderSummarySchema = z.looseObject({
  orderId: z.uuid(),
  externalRef: z.string().nullable(),
  status: z.enum(orderStatuses),
  orderVersion: z.number().int(),
  completionPolicy: z.enum(completionPolicies),
  createdAt: timestamp,
  updatedAt: timestamp,
  fulfillmentPlan: planRefSchema,
  itemCount: z.number().int(),
});

/** A page of a list: its items and the cursor of the next page (null on the last). */
function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass it back as `cursor` for the next page.') });
}

/** `GET /api/v1/orders`. */
export const orderPageSchema = pageOf(orderSummarySchema);

const taskViewShape = {
  taskId: z.uuid(),
  orderItemId: z.uuid(),
  sequence: z.number().int(),
  taskType: z.string(),
  phase: z.string(),
  executionMode: z.string(),
  ownerSystem: z.string(),
  required: z.boolean(),
  status: z.string(),
  dependsOn: z.array(z.uuid()),
  attemptCount: z.number().int(),
  lastFailure: failure,
  timeoutPolicy: z.unknown(),
  startedAt: nullableTimestamp,
  completedAt: nullableTimestamp,
};

/** `GET /api/v1/orders/{orderId}/fulfillment-plan`. */
export const planViewSchema = z.looseObject({
  fulfillmentPlanId: z.uuid(),
  orderId: z.uuid(),
  orderVersion: z.number().int(),
  catalogVersion: z.string(),
  completionPolicy: z.enum(completionPolicies),
  status: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  completedAt: nullableTimestamp,
  tasks: z.array(z.looseObject(taskViewShape)),
});

/** `GET /api/v1/orders/{orderId}/fulfillment-tasks`. */
export const taskActivitySchema = z.looseObject({
  orderId: z.uuid(),
  fulfillmentPlanId: z.uuid(),
  tasks: z.array(
    z.looseObject({
      ...taskViewShape,
      attempts: z.array(
        z.looseObject({
          attemptId: z.uuid(),
          attemptNo: z.number().int(),
          status: z.string(),
          idempotencyKey: z.string(),
          externalSystem: z.string().nullable(),
          externalCorrelationId: z.string().nullable(),
          failure,
          startedAt: timestamp,
          completedAt: nullableTimestamp,
        }),
      ),
      externalCalls: z.array(
        z.looseObject({
          externalCallId: z.uuid(),
          externalSystem: z.string(),
          externalCorrelationId: z.string(),
          idempotencyKey: z.string(),
          status: z.string(),
          failure,
          createdAt: timestamp,
          submittedAt: nullableTimestamp,
          completedAt: nullableTimestamp,
        }),
      ),
      evidence: z.array(
        z.looseObject({
          evidenceId: z.uuid(),
          kind: z.string(),
          source: z.string(),
          reference: z.string().nullable(),
          externalCorrelationId: z.string().nullable(),
          recordedBy: z.string(),
          recordedAt: timestamp,
        }),
      ),
    }),
  ),
});

/** `GET /api/v1/orders/{orderId}/timeline`. */
export const timelineSchema = z.object({
  orderId: z.uuid(),
  entries: z.array(z.looseObject({ at: timestamp, kind: z.string() }).describe('When, what kind, and the kind’s own fields.')),
  truncated: z.boolean().describe('True when the order has more entries than one answer holds; the earliest ones are shown.'),
});

/** `GET /api/v1/fallout-cases`. */
export const falloutCasePageSchema = pageOf(
  z.looseObject({
    falloutCaseId: z.uuid(),
    orderId: z.uuid(),
    orderItemId: z.uuid().nullable(),
    fulfillmentPlanId: z.uuid().nullable(),
    fulfillmentTaskId: z.uuid().nullable(),
    category: z.string(),
    severity: z.string(),
    reason: z.string(),
    customerImpact: z.string().nullable(),
    retryable: z.boolean(),
    requiresManualRepair: z.boolean(),
    suggestedRepairActions: z.unknown(),
    sourceSystem: z.string().nullable(),
    externalCorrelationId: z.string().nullable(),
    status: z.enum(falloutCaseStatuses),
    assignedTo: z.string().nullable(),
    resolution: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    repairedAt: nullableTimestamp,
    closedAt: nullableTimestamp,
  }),
);

/** `POST .../fulfillment/start`. */
export const startFulfillmentAnswerSchema = z.looseObject({
  orderId: z.uuid(),
  fulfillmentPlanId: z.uuid(),
  executionId: z.string(),
  workflowStartRequestId: z.string(),
  created: z.boolean().describe('False when the plan already existed (a repeated call).'),
});

/** `POST .../cancel`. */
export const cancelAnswerSchema = z.looseObject({ orderId: z.uuid(), status: z.string(), alreadyRequested: z.boolean() });

/** `POST .../repair`, `.../retry` and `.../skip`. */
export const repairAnswerSchema = z.looseObject({
  orderId: z.uuid(),
  taskId: z.uuid().optional(),
  falloutCaseId: z.uuid(),
  status: z.string(),
});

/** `POST .../manual-decisions`. */
export const manualDecisionAnswerSchema = z.looseObject({
  orderId: z.uuid(),
  taskId: z.uuid(),
  decision: z.string(),
  status: z.string().describe('The task status after the decision (or before it, while it is not applied yet).'),
  applied: z.boolean().describe('False (with 202) when the OMS did not show the result within the wait.'),
});

/** `POST /api/v1/integrations/{system}/callbacks`. */
export const callbackAnswerSchema = z.object({ callbackId: z.string(), status: z.enum(['ACCEPTED', 'DUPLICATE']) });

/** Path of the callback route. */
export const callbackPathSchema = z.object({ system: z.enum(externalSystems) });
