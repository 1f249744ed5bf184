/**
 * The API's OpenAPI 3.1 document, built from one route table whose request schemas are the
 * routers' own zod schemas (the order commands' bodies, the order API's intake and list queries,
 * the job contracts of the internal routes, the partner callback): what validates a request is what
 * the document shows. Answers are described by `response-schemas.ts`.
 *
 * What is derived rather than written in each row: the roles and the `Idempotency-Key` of a route
 * from `api-access.ts` (the middleware that enforces them); path parameters from the `{name}`s of
 * the path (a name without a schema is a build error); 401 and 403 for every route that needs a
 * role; 400, 409 and 422 for every route that takes an `Idempotency-Key` (missing, still running,
 * reused for another request). A test checks the table against the routes the routers really
 * serve, so a route added without a row here fails.
 */
import { z } from 'zod';
import { orderShapeSchema } from '../../domain/order';
import { findJobContract } from '../../jobs';
import { partnerCallbackSchema } from '../../adapters/partner-adapter';
import { rolesFor } from '../api-access';
import type { Role } from '../auth/principal';
import { internalWorkflowRoutes } from '../order-commands/internal-workflows-router';
import { orderCommandBodies } from '../order-commands/order-commands-router';
import { falloutCaseListQuerySchema, orderIntakeBodySchema, orderListQuerySchema } from '../orders/schemas';
import { SchemaCollector, type JsonSchema } from './json-schemas';
import * as answers from './response-schemas';

/** The error statuses a route may answer, each with the shared `Problem` body. */
export const errorStatuses = [400, 401, 403, 404, 409, 412, 413, 415, 422] as const;
/** One of {@link errorStatuses}. */
export type ErrorStatus = (typeof errorStatuses)[number];

const errorDescriptions: Record<ErrorStatus, string> = {
  400: 'The request is invalid: a path, query, header or body field (listed in `errors`), or a missing `Idempotency-Key`.',
  401: 'No bearer token, or one no token source accepts (`WWW-Authenticate: Bearer`).',
  403: 'The caller does not hold the role the route needs.',
  404: 'No such object for the caller’s tenant (another tenant’s object is not found either).',
  409: 'The object is not in a state that allows the command, or the first request with this `Idempotency-Key` is still running (`Retry-After`).',
  412: 'The `If-Match` version is not the object’s current version.',
  413: 'The body is larger than the route accepts.',
  415: 'The body is not `application/json`.',
  422: 'The request is well formed but refused by a business rule, or its `Idempotency-Key` was used for another request.',
};

/** An answer of a route besides its problems. */
export interface RouteAnswer {
  status: number;
  description: string;
  /** The body's schema (output side); absent for an answer described by `contentType` alone. */
  schema?: z.ZodType;
  /** Component name of the body's schema. */
  name?: string;
  /** Default `application/json`. */
  contentType?: string;
  /** Response headers the answer carries. */
  headers?: readonly ('ETag' | 'Location' | 'Idempotent-Replayed')[];
}

/** One row of the route table, as written: access is derived (see {@link ApiRoute}). */
export interface ApiRouteRow {
  method: 'get' | 'post';
  /** OpenAPI form: `{orderId}` where express has `:orderId`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** No bearer token: operations, documentation, and callbacks (signed instead). */
  public?: true;
  /** Query parameters: one per key of the object. */
  query?: z.ZodObject;
  /** Request body (input side), as `application/json` unless `contentType` says otherwise. */
  body?: { schema: z.ZodType; name: string; required?: boolean };
  /** Header parameters besides the derived ones. */
  headers?: readonly { name: string; description: string; schema: z.ZodType; required: boolean }[];
  /** Conditional commands: an optional `If-Match` with the `ETag` a read answered. */
  ifMatch?: boolean;
  success: readonly RouteAnswer[];
  errors: readonly ErrorStatus[];
}

/**
 * A route of the document: its row with the access `api-access.ts` gives it, so the document and
 * the middleware cannot disagree: the roles any one of which lets a caller in (`rolesFor`), and an
 * `Idempotency-Key` on every POST it guards.
 */
export interface ApiRoute extends ApiRouteRow {
  /** Absent for a public route. */
  roles?: readonly Role[];
  /** Commands: the `Idempotency-Key` header (required; the same key and request answer the first answer again). */
  idempotencyKey?: boolean;
}

function withAccess(row: ApiRouteRow): ApiRoute {
  if (row.public) return row;
  return { ...row, roles: rolesFor(row.method.toUpperCase(), row.path), ...(row.method === 'post' ? { idempotencyKey: true } : {}) };
}

const uuid = z.uuid();

/** The schema of every path parameter name any route uses. */
export const pathParameters: Record<string, { schema: z.ZodType; description: string }> = {
  orderId: { schema: uuid, description: 'The order.' },
  taskId: { schema: uuid, description: 'A fulfillment task of the order.' },
  falloutCaseId: { schema: uuid, description: 'A fallout case of the order.' },
  system: { schema: answers.callbackPathSchema.shape.system, description: 'The partner system whose adapter receives the callback.' },
};

const ordersPath = '/api/v1/orders';
const orderPath = `${ordersPath}/{orderId}`;

const opsRoutes: ApiRouteRow[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    public: true,
    tag: 'Operations',
    summary: 'Liveness',
    success: [{ status: 200, description: 'The process runs.', schema: answers.healthSchema, name: 'Health' }],
    errors: [],
  },
  {
    method: 'get',
    path: '/ready',
    operationId: 'getReadiness',
    public: true,
    tag: 'Operations',
    summary: 'Readiness: every dependency answers',
    success: [
      { status: 200, description: 'Every check is UP.', schema: answers.readinessSchema, name: 'Readiness' },
      { status: 503, description: 'At least one check is DOWN (with its reason).', schema: answers.readinessSchema, name: 'Readiness' },
    ],
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    public: true,
    tag: 'Operations',
    summary: 'Prometheus metrics',
    success: [{ status: 200, description: 'Metrics in the Prometheus text exposition format.', contentType: 'text/plain' }],
    errors: [],
  },
];

const documentationRoutes: ApiRouteRow[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    public: true,
    tag: 'Documentation',
    summary: 'This document',
    success: [{ status: 200, description: 'The OpenAPI 3.1 document of the API.', contentType: 'application/json' }],
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getApiReference',
    public: true,
    tag: 'Documentation',
    summary: 'The API reference page (Swagger UI, served by this server)',
    success: [{ status: 200, description: 'An HTML page rendering this document.', contentType: 'text/html' }],
    errors: [],
  },
];

const orderRoutes: ApiRouteRow[] = [
  {
    method: 'post',
    path: ordersPath,
    operationId: 'createOrder',
    tag: 'Orders',
    summary: 'Accept an order (an accepted quote)',
    description: 'The tenant is the caller’s and the order id is new; the items are checked with every order rule before the order is stored.',
    // The router keeps `items` opaque and checks them with the domain's rules; the document shows the domain's item shape.
    body: { schema: orderIntakeBodySchema.extend({ items: orderShapeSchema.shape.items }), name: 'OrderIntake' },
    success: [{ status: 201, description: 'The order, as `GET` answers it.', schema: answers.orderViewSchema, name: 'Order', headers: ['Location', 'ETag', 'Idempotent-Replayed'] }],
    errors: [400, 409, 413, 415, 422],
  },
  {
    method: 'get',
    path: ordersPath,
    operationId: 'listOrders',
    tag: 'Orders',
    summary: 'The tenant’s orders, newest first',
    query: orderListQuerySchema,
    success: [{ status: 200, description: 'One page of orders.', schema: answers.orderPageSchema, name: 'OrderPage' }],
    errors: [400],
  },
  {
    method: 'get',
    path: orderPath,
    operationId: 'getOrder',
    tag: 'Orders',
    summary: 'One order with its items, latest plan and workflow',
    success: [{ status: 200, description: 'The order; `ETag` is its version.', schema: answers.orderViewSchema, name: 'Order', headers: ['ETag'] }],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: `${orderPath}/fulfillment-plan`,
    operationId: 'getFulfillmentPlan',
    tag: 'Orders',
    summary: 'The order’s latest fulfillment plan with its tasks',
    success: [{ status: 200, description: 'The plan.', schema: answers.planViewSchema, name: 'FulfillmentPlan' }],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: `${orderPath}/fulfillment-tasks`,
    operationId: 'listFulfillmentTasks',
    tag: 'Orders',
    summary: 'The plan’s tasks with their attempts, external calls and evidence',
    success: [{ status: 200, description: 'The tasks and what happened to them.', schema: answers.taskActivitySchema, name: 'FulfillmentTaskActivity' }],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: `${orderPath}/timeline`,
    operationId: 'getOrderTimeline',
    tag: 'Orders',
    summary: 'Everything that happened to the order, oldest first',
    success: [{ status: 200, description: 'The timeline.', schema: answers.timelineSchema, name: 'OrderTimeline' }],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/v1/fallout-cases',
    operationId: 'listFalloutCases',
    tag: 'Fallout',
    summary: 'The tenant’s fallout cases (open ones by default)',
    query: falloutCaseListQuerySchema,
    success: [{ status: 200, description: 'One page of fallout cases.', schema: answers.falloutCasePageSchema, name: 'FalloutCasePage' }],
    errors: [400],
  },
];

const commandRoutes: ApiRouteRow[] = [
  {
    method: 'post',
    path: `${orderPath}/fulfillment/start`,
    operationId: 'startFulfillment',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Decompose the order into a fulfillment plan and start its process',
    body: { schema: orderCommandBodies.start, name: 'StartFulfillmentCommand', required: false },
    success: [{ status: 202, description: 'The plan exists and the process start is requested.', schema: answers.startFulfillmentAnswerSchema, name: 'StartFulfillmentAnswer', headers: ['Idempotent-Replayed'] }],
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'post',
    path: `${orderPath}/cancel`,
    operationId: 'cancelOrder',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Request the order’s cancellation',
    body: { schema: orderCommandBodies.cancel, name: 'CancelOrderCommand' },
    success: [{ status: 202, description: 'Cancellation requested (or already requested).', schema: answers.cancelAnswerSchema, name: 'CancelOrderAnswer', headers: ['Idempotent-Replayed'] }],
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'post',
    path: `${orderPath}/fallout-cases/{falloutCaseId}/repair`,
    operationId: 'repairFalloutCase',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Repair a fallout case: retry, resume or compensate',
    body: { schema: orderCommandBodies.repair, name: 'RepairFalloutCommand' },
    success: [{ status: 200, description: 'The repair is applied.', schema: answers.repairAnswerSchema, name: 'RepairAnswer', headers: ['Idempotent-Replayed'] }],
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'post',
    path: `${orderPath}/fulfillment-tasks/{taskId}/retry`,
    operationId: 'retryFulfillmentTask',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Retry a task in fallout (repairs its open fallout case)',
    body: { schema: orderCommandBodies.retry, name: 'RetryTaskCommand' },
    success: [{ status: 200, description: 'The task is ready again.', schema: answers.repairAnswerSchema, name: 'RepairAnswer', headers: ['Idempotent-Replayed'] }],
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'post',
    path: `${orderPath}/fulfillment-tasks/{taskId}/skip`,
    operationId: 'skipFulfillmentTask',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Skip a task in fallout, with an approval reference',
    body: { schema: orderCommandBodies.skip, name: 'SkipTaskCommand' },
    success: [{ status: 200, description: 'The task is skipped.', schema: answers.repairAnswerSchema, name: 'RepairAnswer', headers: ['Idempotent-Replayed'] }],
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'post',
    path: `${orderPath}/fulfillment-tasks/{taskId}/manual-decisions`,
    operationId: 'decideFulfillmentTask',
    ifMatch: true,
    tag: 'Order commands',
    summary: 'Take the manual decision a waiting task asks for',
    description: 'Completes the open Tasklist user task with the decision, as the form would, and waits (up to 10 s) for the OMS to show the result.',
    body: { schema: orderCommandBodies.manualDecision, name: 'ManualDecisionCommand' },
    success: [
      { status: 200, description: 'The decision is applied.', schema: answers.manualDecisionAnswerSchema, name: 'ManualDecisionAnswer', headers: ['Idempotent-Replayed'] },
      { status: 202, description: 'The decision is sent; the OMS did not show its result within the wait.', schema: answers.manualDecisionAnswerSchema, name: 'ManualDecisionAnswer', headers: ['Idempotent-Replayed'] },
    ],
    errors: [400, 404, 409, 413, 422],
  },
];

const callbackRoutes: ApiRouteRow[] = [
  {
    method: 'post',
    path: '/api/v1/integrations/{system}/callbacks',
    operationId: 'receivePartnerCallback',
    public: true,
    tag: 'Integrations',
    summary: 'A partner’s callback, signed with Standard Webhooks',
    description:
      'Authenticated by its Standard Webhooks signature (HMAC-SHA256 over id, timestamp and body) rather than a bearer token; the tenant is the adapter’s. Stored once per `webhook-id`.',
    body: { schema: partnerCallbackSchema, name: 'PartnerCallback' },
    headers: [
      { name: 'webhook-id', description: 'The message id; a redelivery repeats it.', schema: z.string().min(1).max(256), required: true },
      { name: 'webhook-timestamp', description: 'Seconds since the epoch; must be within the tolerance.', schema: z.string().regex(/^[0-9]{1,12}$/), required: true },
      { name: 'webhook-signature', description: 'Space-separated `v1,<base64>` signatures (several during secret rotation).', schema: z.string().min(1).max(1024), required: true },
    ],
    success: [
      { status: 202, description: 'A new callback, stored.', schema: answers.callbackAnswerSchema, name: 'CallbackAnswer' },
      { status: 200, description: 'A redelivery of a stored callback.', schema: answers.callbackAnswerSchema, name: 'CallbackAnswer' },
    ],
    errors: [400, 401, 404, 413, 422],
  },
];

/** The body of an internal route: the job's variables and custom headers, as its contract has them. */
function internalBody(jobType: string): z.ZodType {
  const contract = findJobContract(jobType);
  if (!contract) throw new Error(`internal route for unregistered job type ${jobType}`);
  const tenantId = contract.input.shape['tenantId'] as z.ZodType | undefined;
  return z.strictObject({
    // The tenant is the caller's: a tenantId in the variables is overwritten.
    variables: tenantId === undefined ? contract.input : contract.input.safeExtend({ tenantId: tenantId.optional() }),
    headers: contract.headers.optional(),
    processInstanceKey: z.string().regex(/^\d{1,19}$/).optional(),
  });
}

const pascal = (text: string): string => text.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

const internalRoutes: ApiRouteRow[] = Object.entries(internalWorkflowRoutes).map(([route, jobType]) => {
  const contract = findJobContract(jobType)!;
  return {
    method: 'post',
    path: `/internal/workflows/orders/{orderId}/${route}`,
    operationId: `internal${pascal(route)}`,
    tag: 'Internal workflows',
    summary: `Run the \`${jobType}\` job handler`,
    description: `${contract.template.description} The same OMS command the \`${jobType}\` worker runs; \`variables.orderId\` must be the path’s order id, and the Idempotency-Key is the job’s idempotency key.`,
    body: { schema: internalBody(jobType), name: `${pascal(route)}Request` },
    success: [{ status: 200, description: 'The job’s output variables.', schema: contract.output, name: `${pascal(route)}Output` }],
    errors: [400, 404, 409, 413, 422],
  } satisfies ApiRouteRow;
});

/** Every documented route. */
export const apiRoutes: readonly ApiRoute[] = [...opsRoutes, ...documentationRoutes, ...orderRoutes, ...commandRoutes, ...internalRoutes, ...callbackRoutes].map(withAccess);

const bearerScheme = 'bearerAuth';

const responseHeaders: Record<NonNullable<RouteAnswer['headers']>[number], { description: string; schema: JsonSchema }> = {
  ETag: { description: 'The order’s version, for `If-Match`.', schema: { type: 'string' } },
  Location: { description: 'Where the created object is read.', schema: { type: 'string', format: 'uri-reference' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer of an earlier request with the same `Idempotency-Key`.', schema: { type: 'string', enum: ['true'] } },
};

function parameters(route: ApiRoute, schemas: SchemaCollector): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [, name] of route.path.matchAll(/\{([^}]+)\}/g)) {
    const param = pathParameters[name!];
    if (!param) throw new Error(`${route.operationId}: no schema for path parameter {${name}}`);
    params.push({ name, in: 'path', required: true, description: param.description, schema: schemas.inline(param.schema, 'input', name!) });
  }
  for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
    const optional = (schema as z.ZodType).safeParse(undefined).success;
    params.push({ name, in: 'query', required: !optional, schema: schemas.inline(schema as z.ZodType, 'input', name) });
  }
  if (route.idempotencyKey) params.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (route.ifMatch) params.push({ $ref: '#/components/parameters/IfMatch' });
  for (const header of route.headers ?? []) {
    params.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: schemas.inline(header.schema, 'input', header.name) });
  }
  return params;
}

/** The error statuses of a route: its own and those its role, key and condition imply. */
export function errorStatusesOf(route: ApiRoute): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(route.errors);
  if (route.roles) for (const status of [401, 403] as const) statuses.add(status);
  if (route.idempotencyKey) for (const status of [400, 409, 422] as const) statuses.add(status);
  if (route.ifMatch) statuses.add(412);
  // A command's body is JSON: another content type is refused before the command (api-access.ts).
  if (route.method === 'post' && !route.public) statuses.add(415);
  return [...statuses].sort((a, b) => a - b);
}

function operation(route: ApiRoute, schemas: SchemaCollector): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const answer of route.success) {
    const contentType = answer.contentType ?? 'application/json';
    const schema = answer.schema ? schemas.component(answer.name ?? `${route.operationId}${answer.status}`, answer.schema, 'output') : contentType === 'application/json' ? { type: 'object' } : { type: 'string' };
    responses[String(answer.status)] = {
      description: answer.description,
      ...(answer.headers ? { headers: Object.fromEntries(answer.headers.map((name) => [name, responseHeaders[name]])) } : {}),
      content: { [contentType]: { schema } },
    };
  }
  for (const status of errorStatusesOf(route)) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };

  const roles = route.roles;
  const description = [route.description, roles ? `Role: ${roles.map((role) => `\`${role}\``).join(' or ')}.` : undefined].filter(Boolean).join('\n\n');
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(description ? { description } : {}),
    ...(roles ? { 'x-roles': roles } : { security: [] }),
    parameters: parameters(route, schemas),
    ...(route.body
      ? { requestBody: { required: route.body.required ?? true, content: { 'application/json': { schema: schemas.component(route.body.name, route.body.schema, 'input') } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API (a plain JSON object). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const schemas = new SchemaCollector();
  const problem = schemas.component('Problem', answers.problemSchema, 'output');
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of apiRoutes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`route table: ${route.method.toUpperCase()} ${route.path} twice`);
    item[route.method] = operation(route, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fulfillment Pack API',
      version: '1.0.0',
      description:
        'Order fulfillment on Camunda 8: the order API, its commands, the internal worker API and partner callbacks (docs/architecture.md §6). ' +
        'Errors are RFC 9457 `application/problem+json`; commands take an `Idempotency-Key`; callers authenticate with a bearer token mapped to a tenant and roles.',
    },
    tags: [...new Set(apiRoutes.map((route) => route.tag))].map((name) => ({ name })),
    security: [{ [bearerScheme]: [] }],
    paths,
    components: {
      schemas: schemas.components(),
      responses: Object.fromEntries(
        errorStatuses.map((status) => [`Problem${status}`, { description: errorDescriptions[status], content: { 'application/problem+json': { schema: problem } } }]),
      ),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description: 'Makes the command safe to repeat for 24 hours: the same key with the same request answers the first answer again; with another request, 422.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
        },
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'The `ETag` of the object as last read; the command is refused with 412 when the object has changed since.',
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        [bearerScheme]: { type: 'http', scheme: 'bearer', description: 'A static API token or a JWT, mapped to a tenant and roles.' },
      },
    },
  };
}
