/**
 * The shared words of the fulfillment domain (seed §2, §3, §8, §12, §17, §19): every status,
 * type and mode used across SQL CHECK constraints, TypeScript, BPMN and the API comes from here.
 * The SQL migrations repeat these lists; a test compares them with the database.
 */

/** Order item actions (seed §18). */
export const orderItemActions = ['ADD', 'MODIFY', 'DISCONNECT', 'MOVE'] as const;
export type OrderItemAction = (typeof orderItemActions)[number];

/** Product types that decomposition and asset timing distinguish (seed §18). */
export const productTypes = [
  'DIGITAL_SUBSCRIPTION',
  'PHYSICAL_DEVICE',
  'NETWORK_SERVICE',
  'ADD_ON',
  'BUNDLE',
] as const;
export type ProductType = (typeof productTypes)[number];

/**
 * Order lifecycle. The end states of fulfillment are seed §3's; the ones before are the pipeline of
 * seed §1 and §6.
 */
export const orderStatuses = [
  'VALIDATED',
  'DECOMPOSED',
  'FULFILLMENT_READY',
  'IN_FULFILLMENT',
  'CANCEL_REQUESTED',
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'CANCELLED',
  'FAILED_WITH_FALLOUT',
  'COMPENSATED',
  'MANUAL_CLOSED',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Fulfillment end states (seed §3). */
export const fulfillmentEndStates = [
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'CANCELLED',
  'FAILED_WITH_FALLOUT',
  'COMPENSATED',
  'MANUAL_CLOSED',
] as const satisfies readonly OrderStatus[];
export type FulfillmentEndState = (typeof fulfillmentEndStates)[number];

/** Plan lifecycle. */
export const fulfillmentPlanStatuses = [
  'CREATED',
  'IN_PROGRESS',
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'CANCELLED',
  'FAILED_WITH_FALLOUT',
  'COMPENSATED',
  'MANUAL_CLOSED',
] as const;
export type FulfillmentPlanStatus = (typeof fulfillmentPlanStatuses)[number];

/** Execution of a plan by one workflow run (seed §21 fulfillment_execution). */
export const fulfillmentExecutionStatuses = [
  'RUNNING',
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'CANCELLED',
  'FAILED_WITH_FALLOUT',
  'COMPENSATED',
  'MANUAL_CLOSED',
] as const;
export type FulfillmentExecutionStatus = (typeof fulfillmentExecutionStatuses)[number];

/**
 * Fulfillment task statuses. PENDING: dependencies not yet resolved; READY: may start;
 * IN_PROGRESS: a worker holds it; WAITING: submitted to an external system or a person, awaiting
 * the answer; COMPLETED / SKIPPED resolve dependencies; FAILED / TIMED_OUT / FALLOUT need a
 * decision; CANCELLED and COMPENSATED are final.
 */
export const fulfillmentTaskStatuses = [
  'PENDING',
  'READY',
  'IN_PROGRESS',
  'WAITING',
  'COMPLETED',
  'FAILED',
  'TIMED_OUT',
  'FALLOUT',
  'SKIPPED',
  'CANCELLED',
  'COMPENSATED',
] as const;
export type FulfillmentTaskStatus = (typeof fulfillmentTaskStatuses)[number];

/** Task types (seed §8), compensation types included (seed §16). */
export const fulfillmentTaskTypes = [
  'RESERVE_RESOURCE',
  'RELEASE_RESOURCE',
  'CHECK_SERVICEABILITY',
  'CREATE_PROVISIONING_REQUEST',
  'WAIT_PROVISIONING_COMPLETED',
  'DEACTIVATE_SERVICE',
  'SCHEDULE_APPOINTMENT',
  'CANCEL_APPOINTMENT',
  'SCHEDULE_SHIPMENT',
  'CANCEL_SHIPMENT',
  'CONFIRM_SHIPMENT',
  'ACTIVATE_BILLING',
  'REVERSE_BILLING_ACTIVATION',
  'DEACTIVATE_BILLING',
  'UPDATE_INSTALLED_BASE',
  'REVERT_INSTALLED_BASE',
  'SEND_CUSTOMER_NOTIFICATION',
  'MANUAL_ACTIVATION_REVIEW',
  'ONSITE_INSTALLATION_CONFIRMATION',
] as const;
export type FulfillmentTaskType = (typeof fulfillmentTaskTypes)[number];

/** Execution modes and the BPMN element each maps to (seed §8). */
export const taskExecutionModes = [
  'AUTOMATED_SYNC',
  'AUTOMATED_ASYNC',
  'MANUAL',
  'WAIT_ONLY',
  'COMPENSATION',
  'REPAIR',
] as const;
export type TaskExecutionMode = (typeof taskExecutionModes)[number];

/** Phases of the order-fulfillment-v1 model (seed §24, docs/architecture.md §7), in execution order. */
export const fulfillmentPhases = [
  'VALIDATION',
  'RESERVATION',
  'PROVISIONING',
  'ACTIVATION',
  'INSTALLED_BASE',
  'COMPLETION',
] as const;
export type FulfillmentPhase = (typeof fulfillmentPhases)[number];

/** What a timeout leads to (seed §14, anti-pattern 6: timeout is not always cancel). */
export const timeoutActions = ['REMIND', 'ESCALATE', 'OPEN_FALLOUT', 'RETRY', 'COMPENSATE', 'CANCEL'] as const;
export type TimeoutAction = (typeof timeoutActions)[number];

/** Fallout case lifecycle (seed §17). */
export const falloutCaseStatuses = ['OPEN', 'IN_REPAIR', 'REPAIRED', 'CLOSED'] as const;
export type FalloutCaseStatus = (typeof falloutCaseStatuses)[number];

/**
 * Fallout case categories (seed §17's examples, plus the timeout kinds of §14). A timeout policy that
 * opens fallout names one of these, so operations can group the backlog by cause.
 */
export const falloutCategories = [
  'INVALID_DECOMPOSITION_DATA',
  'EXTERNAL_SYSTEM_REJECTED',
  'EXTERNAL_SYSTEM_TIMEOUT',
  'PARTNER_SLA_BREACHED',
  'CUSTOMER_TIMEOUT',
  'RESOURCE_CONFLICT',
  'APPOINTMENT_UNAVAILABLE',
  'BILLING_ACTIVATION_REJECTED',
  'MANUAL_TASK_EXPIRED',
  'COMPENSATION_FAILED',
  'INSTALLED_BASE_CONFLICT',
] as const;
export type FalloutCategory = (typeof falloutCategories)[number];

/** Fallout case severity (seed §17). */
export const falloutSeverities = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type FalloutSeverity = (typeof falloutSeverities)[number];

/** Manual decisions a person may take on a task (seed §13). */
export const manualDecisions = [
  'COMPLETE',
  'FAIL',
  'RETRY',
  'SKIP_WITH_APPROVAL',
  'REQUEST_CUSTOMER_ACTION',
  'ESCALATE',
] as const;
export type ManualDecision = (typeof manualDecisions)[number];

/** Order completion policies for billing (seed §19). */
export const completionPolicies = [
  'COMPLETION_REQUIRES_BILLING_ACTIVE',
  'COMPLETION_ALLOWS_BILLING_PENDING',
  'COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED',
] as const;
export type CompletionPolicy = (typeof completionPolicies)[number];

/** Attempt / external call lifecycle (seed §10, §21). */
export const attemptStatuses = ['STARTED', 'SUBMITTED', 'SUCCEEDED', 'FAILED', 'TIMED_OUT'] as const;
export type AttemptStatus = (typeof attemptStatuses)[number];

/** Compensation plan and compensation task lifecycle (seed §16). */
export const compensationStatuses = ['PLANNED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'MANUAL_REVIEW'] as const;
export type CompensationStatus = (typeof compensationStatuses)[number];

/** Workflow bookkeeping (seed §6, §21): `workflow_start_request` lifecycle. */
export const workflowStartRequestStatuses = ['PENDING', 'STARTED', 'FAILED'] as const;
/** `order_workflow_ref` lifecycle (seed §6). */
export const workflowRefStatuses = ['ACTIVE', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
/** `workflow_message_correlation` lifecycle (seed §21). */
export const messageCorrelationStatuses = ['PENDING', 'CORRELATED', 'FAILED', 'EXPIRED'] as const;

/** Asset (installed base) lifecycle (seed §18). */
export const assetStatuses = ['ACTIVE', 'SUPERSEDED', 'CLOSED'] as const;
export type AssetStatus = (typeof assetStatuses)[number];

/** External systems reached through adapters (docs/architecture.md §1); also the callback path segment. */
export const externalSystems = ['inventory', 'provisioning', 'shipping', 'billing', 'appointment'] as const;
/** One of {@link externalSystems}. */
export type ExternalSystem = (typeof externalSystems)[number];

/**
 * Callback messages an await-callback catch may wait for (seed §10), each with the system that
 * sends it. Correlation key: `tenantId:orderId:taskId`.
 */
export const callbackMessages = [
  {
    name: 'provisioning-completed',
    system: 'provisioning',
    label: 'Provisioning completed',
    awaitedBy: ['CREATE_PROVISIONING_REQUEST', 'WAIT_PROVISIONING_COMPLETED', 'DEACTIVATE_SERVICE'],
  },
  { name: 'shipment-confirmed', system: 'shipping', label: 'Shipment confirmed', awaitedBy: ['SCHEDULE_SHIPMENT', 'CONFIRM_SHIPMENT'] },
  // The billing system answers every billing request with this one callback; a disconnect's
  // deactivation is confirmed the same way (its payload says which).
  { name: 'billing-activated', system: 'billing', label: 'Billing activated', awaitedBy: ['ACTIVATE_BILLING', 'DEACTIVATE_BILLING'] },
  { name: 'appointment-confirmed', system: 'appointment', label: 'Appointment confirmed', awaitedBy: ['SCHEDULE_APPOINTMENT'] },
] as const satisfies readonly {
  name: string;
  system: ExternalSystem;
  label: string;
  /** Task types whose asynchronous or wait-only step ends with this message; the model routes on them. */
  awaitedBy: readonly FulfillmentTaskType[];
}[];
/** Name of one of the {@link callbackMessages}. */
export type CallbackMessageName = (typeof callbackMessages)[number]['name'];
