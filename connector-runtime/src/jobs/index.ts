/**
 * Registry of every job type (docs/architecture.md §3, seed §23): the worker wiring, the template generator and
 * the lint plugin's job list all read this one list.
 */
import { applyExternalTaskResultContract } from './apply-external-task-result/schema';
import { applyFulfillmentTimeoutContract } from './apply-fulfillment-timeout/schema';
import { applyInstalledBaseImpactContract } from './apply-installed-base-impact/schema';
import { applyManualDecisionContract } from './apply-manual-decision/schema';
import { executeCompensationTaskContract } from './execute-compensation-task/schema';
import { executeFulfillmentTaskContract } from './execute-fulfillment-task/schema';
import { finalizeOrderFulfillmentContract } from './finalize-order-fulfillment/schema';
import { loadFulfillmentPlanContract } from './load-fulfillment-plan/schema';
import { openFulfillmentFalloutContract } from './open-fulfillment-fallout/schema';
import { startCompensationContract } from './start-compensation/schema';
import { submitExternalTaskRequestContract } from './submit-external-task-request/schema';
import type { JobContract } from './job-contract';

/** Every job contract, in the order a fulfillment run meets them. */
export const jobContracts = [
  loadFulfillmentPlanContract,
  executeFulfillmentTaskContract,
  submitExternalTaskRequestContract,
  applyExternalTaskResultContract,
  applyManualDecisionContract,
  applyFulfillmentTimeoutContract,
  openFulfillmentFalloutContract,
  startCompensationContract,
  executeCompensationTaskContract,
  applyInstalledBaseImpactContract,
  finalizeOrderFulfillmentContract,
] as const satisfies readonly JobContract[];

/** A registered job type string. */
export type JobType = (typeof jobContracts)[number]['type'];

/** Every registered job type string. */
export const jobTypes: readonly JobType[] = jobContracts.map((contract) => contract.type);

/** The contract of a job type, or undefined when the type is not registered. */
export function findJobContract(type: string): JobContract | undefined {
  return jobContracts.find((contract) => contract.type === type);
}

export type { JobContract, JobTemplateInfo, TemplateFieldMeta } from './job-contract';
