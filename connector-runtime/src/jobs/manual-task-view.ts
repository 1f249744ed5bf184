/**
 * What a manual-task form shows (seed §13): a short, display-only projection of the domain state
 * around one task, built by the worker that routes to the user task (`execute-fulfillment-task`
 * for MANUAL tasks, `open-fulfillment-fallout` for a repair decision). It lives in one variable,
 * `manualTaskView`, local to the task's multi-instance iteration, so it never reaches the process
 * root and parallel tasks do not overwrite each other's view.
 *
 * It is text for people, not data for code: every field is bounded, and nothing in it is trusted
 * when the decision comes back (apply-manual-decision reloads the task from the OMS).
 */
import { z } from 'zod';
import { manualDecisions } from '../domain/vocabulary';

/** Process variable the forms read their context from. */
export const manualTaskViewVariable = 'manualTaskView';

/** Longest line a view field may carry; the full story is in the OMS and its evidence tables. */
export const manualTaskViewTextMaxLength = 500;

const viewText = z.string().max(manualTaskViewTextMaxLength);

/** Most text the whole view can hold: seven texts plus the allowed actions (docs/decisions/0002). */
export const manualTaskViewMaxCharacters = 4000;

/** The context panel of every manual-task form. */
export const manualTaskViewSchema = z.object({
  /** Order number, customer and product in one line. */
  orderSummary: viewText.min(1),
  /** Task type, id, status and attempt. */
  taskDetails: viewText.min(1),
  /** Which tasks this one waits for and which wait for it. */
  dependencyContext: viewText,
  /** What the customer experiences while the task is open. */
  customerImpact: viewText,
  /** External-system evidence: callback, attempt, document references. */
  externalEvidence: viewText,
  /** Decisions the domain allows for this task now (a subset of seed §13's list). */
  allowedActions: z.array(z.enum(manualDecisions)).min(1).max(manualDecisions.length),
  /** What could go wrong with a repair (duplicate activation, billing double charge, ...). */
  repairRisk: viewText,
  /** The reminder that the decision is audited and goes through the OMS. */
  auditWarning: viewText.min(1),
});
/** A validated manual-task view. */
export type ManualTaskView = z.infer<typeof manualTaskViewSchema>;

/**
 * The view as a job output: set for a task routed to a person (MANUAL mode, fallout repair), null
 * otherwise.
 */
export const manualTaskViewOutput = manualTaskViewSchema.nullable().meta({
  description: 'Context shown by the manual-task form (seed §13); null when no person is involved.',
  template: { binding: 'output', label: 'Manual task view variable', group: 'routing' },
});
