/**
 * What the phase loop and the manual-task forms are told about a task (seed §5, §13): routing
 * variables computed from the stored task, and the bounded, display-only manual task view.
 */
import { parseIsoDuration } from '../domain/duration';
import type { FulfillmentTask } from '../domain/fulfillment-plan';
import type { ManualDecision } from '../domain/vocabulary';
import { manualTaskViewTextMaxLength, type ManualTaskView } from '../jobs/manual-task-view';
import type { Tx } from '../store/database';
import type { StoredOrder } from '../store/order-repository';
import { loadPlanTasks } from '../store/plan-repository';
import { selectEvidenceOfTask } from '../store/queries/fulfillment-workflow';

/** The wait the model arms from a task's timeout policy (seed §14). */
export interface TaskWait {
  /** Hard timeout, ISO-8601, or null when the task has no timeout policy. */
  taskTimeout: string | null;
  /** When the soft reminder fires, counted from the start of the wait (timeout - softReminderBefore), or null. */
  taskReminder: string | null;
}

/** The timeout and reminder durations of a task. */
export function taskWait(task: Pick<FulfillmentTask, 'timeoutPolicy'>): TaskWait {
  const policy = task.timeoutPolicy;
  if (!policy) return { taskTimeout: null, taskReminder: null };
  if (policy.softReminderBefore === undefined) return { taskTimeout: policy.timeout, taskReminder: null };
  const reminderMs = parseIsoDuration(policy.timeout) - parseIsoDuration(policy.softReminderBefore);
  return { taskTimeout: policy.timeout, taskReminder: `PT${Math.max(1, Math.round(reminderMs / 1000))}S` };
}

const clip = (text: string): string => (text.length <= manualTaskViewTextMaxLength ? text : `${text.slice(0, manualTaskViewTextMaxLength - 1)}…`);

/**
 * Builds the view a person sees in the form (seed §13): order summary, task details, dependency
 * context, customer impact, external evidence, allowed actions, repair risk and the audit warning.
 */
export async function buildManualTaskView(
  tx: Tx,
  params: { order: StoredOrder; task: FulfillmentTask; attemptCount: number; allowedActions: ManualDecision[]; falloutReason?: string | null },
): Promise<ManualTaskView> {
  const { order, task } = params;
  const planTasks = (await loadPlanTasks(tx, { tenantId: task.tenantId, fulfillmentPlanId: task.fulfillmentPlanId })).map((stored) => stored.task);
  const byId = new Map(planTasks.map((candidate) => [candidate.taskId, candidate]));
  const item = order.items.find((candidate) => candidate.orderItemId === task.orderItemId);
  const waitsFor = task.dependsOn.map((id) => byId.get(id)).filter((dependency) => dependency !== undefined);
  const waitedBy = planTasks.filter((candidate) => candidate.dependsOn.includes(task.taskId));
  const evidence = await selectEvidenceOfTask(tx, [task.tenantId, task.taskId]);
  return {
    orderSummary: clip(`Order ${order.externalRef ?? order.orderId} (version ${order.orderVersion}), ${order.items.length} items: ${order.items.map((i) => `${i.action} ${i.productCode}`).join(', ')}`),
    taskDetails: clip(
      `${task.taskType} for ${item ? `${item.action} ${item.productCode}` : task.orderItemId}, phase ${task.phase}, status ${task.status}, attempt ${params.attemptCount}` +
        (params.falloutReason ? `; fallout: ${params.falloutReason}` : ''),
    ),
    dependencyContext: clip(
      `Waits for: ${waitsFor.map((d) => `${d.taskType} (${d.status})`).join(', ') || 'nothing'}; needed by: ${waitedBy.map((d) => `${d.taskType} (${d.status})`).join(', ') || 'nothing'}`,
    ),
    customerImpact: clip(task.required ? 'Required for the order: the customer waits until it is done.' : 'Optional: the order can complete without it.'),
    externalEvidence: clip(evidence.slice(0, 5).map((e) => `${e.evidence_kind} from ${e.source_system}${e.reference ? ` ref ${e.reference}` : ''}`).join('; ') || 'None recorded'),
    allowedActions: params.allowedActions,
    repairRisk: clip(
      task.compensationPolicy.compensatable
        ? 'Its effect can be undone by compensation; a retry may repeat a partner request (idempotency keys prevent duplicates).'
        : 'Its effect cannot be undone automatically; a wrong decision needs manual correction.',
    ),
    auditWarning: 'Your decision is recorded in the audit log with your name and reason, and applied through the OMS.',
  };
}
