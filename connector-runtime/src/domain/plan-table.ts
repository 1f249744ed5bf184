/**
 * A plain-text table of a plan, for people: fixtures that reviewers read, logs and the operations
 * CLI. Dependencies are shown by task sequence number, which is easier to follow than UUIDs.
 */
import type { FulfillmentPlan } from './fulfillment-plan';

const columns = ['#', 'item', 'template', 'taskType', 'phase', 'mode', 'owner', 'required', 'status', 'dependsOn'] as const;

/** Renders the plan's tasks as an aligned text table with a one-line header naming the plan. */
export function formatPlanTable(plan: FulfillmentPlan): string {
  const sequenceOf = new Map(plan.tasks.map((task) => [task.taskId, task.sequence]));
  const rows = plan.tasks.map((task) => [
    String(task.sequence),
    `${String(task.inputSnapshot.productCode ?? '?')} ${String(task.inputSnapshot.action ?? '?')}`,
    task.templateId,
    task.taskType,
    task.phase,
    task.executionMode,
    task.ownerSystem,
    task.required ? 'yes' : 'no',
    task.status,
    task.dependsOn.map((id) => String(sequenceOf.get(id) ?? id)).join(',') || '-',
  ]);
  const widths = columns.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ').trimEnd();
  return [
    `plan ${plan.fulfillmentPlanId} for order ${plan.orderId} v${plan.orderVersion} (${plan.completionPolicy}, catalog ${plan.catalogVersion})`,
    line(columns),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
  ].join('\n') + '\n';
}
