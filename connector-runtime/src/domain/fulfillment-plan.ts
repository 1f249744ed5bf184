/**
 * The fulfillment plan and its tasks (seed §2): what decomposition produces, what the store maps to
 * `fulfillment_plan` / `fulfillment_task` rows (one column per field, `dependsOn` as the dependency
 * table, the policies and input snapshot as JSON), and what every other domain function reads.
 * Field names are the seed's task JSON names.
 */
import { z } from 'zod';
import { compensationPolicySchema, retryPolicySchema, timeoutPolicySchema } from './policies';
import { snapshotHashPattern } from './snapshot-hash';
import {
  completionPolicies,
  fulfillmentPhases,
  fulfillmentPlanStatuses,
  fulfillmentTaskStatuses,
  fulfillmentTaskTypes,
  taskExecutionModes,
} from './vocabulary';

/** One task of a plan. */
export const fulfillmentTaskSchema = z.strictObject({
  taskId: z.uuid(),
  fulfillmentPlanId: z.uuid(),
  tenantId: z.string().min(1).max(64),
  orderId: z.uuid(),
  orderItemId: z.uuid(),
  sequence: z.number().int().min(1).meta({ description: 'Position in the plan, for stable listings' }),
  templateId: z.string().min(1).max(64).meta({ description: 'Catalog template that created the task' }),
  taskType: z.enum(fulfillmentTaskTypes),
  phase: z.enum(fulfillmentPhases),
  executionMode: z.enum(taskExecutionModes),
  ownerSystem: z.string().min(1).max(128),
  required: z.boolean(),
  status: z.enum(fulfillmentTaskStatuses),
  dependsOn: z.array(z.uuid()),
  inputSnapshot: z.record(z.string(), z.json()),
  inputSnapshotHash: z.string().regex(snapshotHashPattern),
  retryPolicy: retryPolicySchema,
  timeoutPolicy: timeoutPolicySchema.nullable(),
  compensationPolicy: compensationPolicySchema,
  completedAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'Set when the task reaches COMPLETED' }),
});
/** See {@link fulfillmentTaskSchema}. */
export type FulfillmentTask = z.output<typeof fulfillmentTaskSchema>;

/** A plan: the tasks decomposed from one version of one order. */
export const fulfillmentPlanSchema = z.strictObject({
  fulfillmentPlanId: z.uuid(),
  tenantId: z.string().min(1).max(64),
  orderId: z.uuid(),
  orderVersion: z.number().int().min(0),
  completionPolicy: z.enum(completionPolicies),
  catalogVersion: z.string().min(1).max(64),
  status: z.enum(fulfillmentPlanStatuses),
  tasks: z.array(fulfillmentTaskSchema),
});
/** See {@link fulfillmentPlanSchema}. */
export type FulfillmentPlan = z.output<typeof fulfillmentPlanSchema>;

/** The fields the dependency graph functions read, so they also work on rows or test graphs. */
export type TaskNode = Pick<FulfillmentTask, 'taskId' | 'dependsOn' | 'phase' | 'status' | 'required'>;
