/**
 * Retry, timeout and compensation policies of a fulfillment task, in the JSON shapes of seed §2 and
 * §14. The catalog declares them per task template; decomposition copies them onto each task, so a
 * task keeps the policy it was planned with even if the catalog changes later.
 */
import { z } from 'zod';
import { isoDurationSchema, parseIsoDuration } from './duration';
import { falloutCategories, fulfillmentTaskTypes, timeoutActions } from './vocabulary';

/**
 * How often the OMS may attempt the task and how long to wait between attempts (seed §2, §15:
 * adapter and business retries; Camunda job retries are separate).
 */
export const retryPolicySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(100).meta({ description: 'Attempts in total, the first included' }),
    backoff: isoDurationSchema.meta({ description: 'Wait between attempts, ISO-8601 (e.g. PT30S)' }),
  })
  .meta({ description: 'Retry policy of a fulfillment task (seed §2)' });
/** See {@link retryPolicySchema}. */
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/**
 * What happens when the task waits too long (seed §14). `softReminderBefore` sends a reminder that
 * long before the hard timeout and keeps waiting; at the hard timeout `onTimeout` decides
 * (anti-pattern 6: a timeout is not always a cancel).
 */
export const timeoutPolicySchema = z
  .strictObject({
    timeout: isoDurationSchema.meta({ description: 'Hard timeout, ISO-8601' }),
    softReminderBefore: isoDurationSchema
      .optional()
      .meta({ description: 'Send a reminder this long before the hard timeout, ISO-8601' }),
    onTimeout: z.enum(timeoutActions),
    falloutCategory: z.enum(falloutCategories).optional(),
  })
  .superRefine((policy, context) => {
    const timeout = parseIsoDuration(policy.timeout);
    if (timeout <= 0) {
      context.addIssue({ code: 'custom', path: ['timeout'], message: 'a timeout must be longer than zero' });
    }
    if (policy.softReminderBefore !== undefined) {
      const reminder = parseIsoDuration(policy.softReminderBefore);
      // A reminder at or before the start of the wait would fire at once and tell nobody anything useful.
      if (reminder <= 0 || reminder >= timeout) {
        context.addIssue({
          code: 'custom',
          path: ['softReminderBefore'],
          message: `softReminderBefore (${policy.softReminderBefore}) must be longer than zero and shorter than timeout (${policy.timeout})`,
        });
      }
    }
    // Operations group the fallout backlog by category (seed §17), so a policy that opens a case names one.
    if (policy.onTimeout === 'OPEN_FALLOUT' && policy.falloutCategory === undefined) {
      context.addIssue({ code: 'custom', path: ['falloutCategory'], message: 'onTimeout OPEN_FALLOUT needs a falloutCategory' });
    }
  })
  .meta({ description: 'Timeout policy of a fulfillment task (seed §14)' });
/** See {@link timeoutPolicySchema}. */
export type TimeoutPolicy = z.infer<typeof timeoutPolicySchema>;

/**
 * Whether and how the task's effect is undone (seed §16). A compensatable task that is not
 * `reversible` is never undone automatically: compensation planning sends it to manual review.
 */
export const compensationPolicySchema = z
  .strictObject({
    compensatable: z.boolean(),
    compensationTaskType: z.enum(fulfillmentTaskTypes).optional(),
    reversible: z.boolean().optional().meta({ description: 'false: undoing needs a person (manual review); default true' }),
  })
  .superRefine((policy, context) => {
    if (!policy.compensatable && (policy.compensationTaskType !== undefined || policy.reversible !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['compensatable'],
        message: 'a task that is not compensatable has no compensationTaskType and no reversible flag',
      });
    }
    if (policy.compensatable && policy.reversible !== false && policy.compensationTaskType === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['compensationTaskType'],
        message: 'a reversible compensatable task names the compensationTaskType that undoes it',
      });
    }
  })
  .meta({ description: 'Compensation policy of a fulfillment task (seed §16)' });
/** See {@link compensationPolicySchema}. */
export type CompensationPolicy = z.infer<typeof compensationPolicySchema>;

/** Back-off of a retry policy in milliseconds, as the engine's job fail command takes it. */
export function retryBackoffMilliseconds(policy: RetryPolicy): number {
  return parseIsoDuration(policy.backoff);
}

/** True when a compensatable task can be undone without a person deciding (seed §16). */
export function isAutomaticallyReversible(policy: CompensationPolicy): boolean {
  return policy.compensatable && policy.reversible !== false;
}
