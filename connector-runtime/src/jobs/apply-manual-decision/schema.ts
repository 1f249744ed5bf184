/**
 * Contract of `apply-manual-decision`: the service task after a manual user task. It takes the
 * form's submission and applies it as the OMS manual-decision command (seed §13), so completing a
 * user task never bypasses the task state machine.
 */
import { z } from 'zod';
import { manualDecisions } from '../../domain/vocabulary';
import {
  allRequiredTasksDoneOutput,
  currentTaskIdInput,
  currentTaskResultOutput,
  falloutReasonOutput,
  fulfillmentPlanIdInput,
  moreReadyTasksOutput,
  orderIdInput,
  phaseHeader,
  tenantIdInput,
} from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const applyManualDecisionJobType = 'apply-manual-decision';

/** Shortest accepted reason: a word or two is not an audit trail. */
export const manualDecisionReasonMinLength = 10;
/** Longest accepted reason, evidence or approval reference (they are stored, not carried around). */
export const manualDecisionReasonMaxLength = 2000;
/** Longest evidence or approval reference (a document or ticket id). */
export const manualDecisionReferenceMaxLength = 256;

/**
 * What the manual-task forms collect. Optional references arrive as null when the form leaves them
 * empty (the input mapping of an unset variable is null in Zeebe) or as an empty string (form-js
 * empty text field); both mean "none".
 */
export const manualDecisionSubmissionShape = {
  decision: z.enum(manualDecisions).meta({
    description: 'Decision taken on the task (seed §13 allowed actions).',
    template: { binding: 'input', label: 'Decision', group: 'decision', feel: 'required', value: '=decision' },
  }),
  reason: z
    .string()
    .trim()
    .min(manualDecisionReasonMinLength)
    .max(manualDecisionReasonMaxLength)
    .meta({
      description: `Why the decision was taken, at least ${manualDecisionReasonMinLength} characters; kept in the audit log.`,
      template: { binding: 'input', label: 'Reason', group: 'decision', feel: 'required', value: '=reason' },
    }),
  evidenceReference: z
    .string()
    .trim()
    .max(manualDecisionReferenceMaxLength)
    .nullish()
    .meta({
      description: 'Reference of the evidence (document, photo, ticket) supporting the decision, if any.',
      template: {
        binding: 'input',
        label: 'Evidence reference',
        group: 'decision',
        feel: 'required',
        value: '=evidenceReference',
      },
    }),
  approvalReference: z
    .string()
    .trim()
    .max(manualDecisionReferenceMaxLength)
    .nullish()
    .meta({
      description: 'Reference of the approval that allows skipping the task; required for SKIP_WITH_APPROVAL.',
      template: {
        binding: 'input',
        label: 'Approval reference',
        group: 'decision',
        feel: 'required',
        value: '=approvalReference',
      },
    }),
};

/** Skipping a task changes what the customer gets, so it needs a named approval (seed §13). */
function requireApprovalForSkip(
  submission: { decision: string; approvalReference?: string | null | undefined },
  context: z.RefinementCtx,
): void {
  if (submission.decision !== 'SKIP_WITH_APPROVAL') return;
  if ((submission.approvalReference ?? '').length > 0) return;
  context.addIssue({
    code: 'custom',
    path: ['approvalReference'],
    message: 'SKIP_WITH_APPROVAL needs an approval reference',
  });
}

/** The form submission alone, as the forms produce it (the form tests parse their output with it). */
export const manualDecisionSubmissionSchema = z.object(manualDecisionSubmissionShape).superRefine(requireApprovalForSkip);
/** A validated manual-task form submission. */
export type ManualDecisionSubmission = z.infer<typeof manualDecisionSubmissionSchema>;

/** Input variables: the ids that locate the task, plus the form submission. */
export const applyManualDecisionInputSchema = z
  .object({
    tenantId: tenantIdInput,
    orderId: orderIdInput,
    fulfillmentPlanId: fulfillmentPlanIdInput,
    currentTaskId: currentTaskIdInput,
    ...manualDecisionSubmissionShape,
  })
  .superRefine(requireApprovalForSkip);
/** Validated input of `apply-manual-decision`. */
export type ApplyManualDecisionInput = z.infer<typeof applyManualDecisionInputSchema>;

/** Custom headers. */
export const applyManualDecisionHeadersSchema = z.object({
  phase: phaseHeader.optional(),
});
/** Validated headers of `apply-manual-decision`. */
export type ApplyManualDecisionHeaders = z.infer<typeof applyManualDecisionHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const applyManualDecisionOutputSchema = z.object({
  currentTaskResult: currentTaskResultOutput,
  moreReadyTasks: moreReadyTasksOutput,
  allRequiredTasksDone: allRequiredTasksDoneOutput,
  falloutReason: falloutReasonOutput,
});
/** Output of `apply-manual-decision`. */
export type ApplyManualDecisionOutput = z.infer<typeof applyManualDecisionOutputSchema>;

/** The `apply-manual-decision` contract. */
export const applyManualDecisionContract = defineJobContract({
  type: applyManualDecisionJobType,
  input: applyManualDecisionInputSchema,
  headers: applyManualDecisionHeadersSchema,
  output: applyManualDecisionOutputSchema,
  template: {
    id: 'fulfillment-pack.apply-manual-decision',
    name: 'Apply manual decision',
    description: 'Applies the decision a person took in a manual task through the OMS manual-decision command.',
    retries: 3,
    compensatable: false,
  },
});
