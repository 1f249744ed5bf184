/**
 * Process instance migration (docs.camunda.io/docs/8.8/components/concepts/process-instance-migration/):
 * a validated plan (plan-migration.ts) is applied to the state, as Zeebe 8.8's
 * `ProcessInstanceMigrationMigrateProcessor` does, all of it or (on a rejection) nothing.
 *
 * - The process instance and every active element instance keep their keys; their process
 *   definition key, bpmnProcessId and element id become the target's.
 * - Jobs, user tasks and incidents of migrated element instances keep their keys and every value
 *   they had (job type, retries, headers, assignee, ...): "We do not recreate jobs, reevaluate
 *   expressions, and reapply input mappings" (#jobs-expressions-and-input-mappings); only their
 *   process definition key, version, bpmnProcessId and element id change.
 * - Variables (global and local) stay as they are.
 * - Catch events (#dealing-with-catch-events): a mapped subscription or timer is kept (a timer
 *   keeps its due date), an unmapped one is closed, a target catch event no instruction leads to
 *   is opened. A buffered message is correlated to a new subscription only once the whole
 *   instance is migrated.
 * - Compensation of completed activities follows the activity's mapping (or its id) when the
 *   target activity has a compensation handler, and is dropped otherwise.
 */
import type { ElementInstanceRecord, MessageSubscriptionRecord, TimerRecord } from '../../state/records';
import { correlateBufferedMessage } from '../events/subscriptions';
import type { Interpreter } from '../interpreter';
import { planMigration, type ElementMigration, type MigrationCommand, type MigrationPlan } from './plan-migration';

export type { MappingInstruction, MigrationCommand } from './plan-migration';

/** Migrates a process instance to another process definition, or throws the rejection and changes nothing. */
export function migrateProcessInstance(it: Interpreter, command: MigrationCommand): void {
  const plan = planMigration(it, command);
  const opened: MessageSubscriptionRecord[] = [];
  for (const migration of plan.elements) migrateElement(it, plan, migration, opened);
  migrateCompensations(it, plan);
  // as Zeebe opens subscriptions through the message partition, a buffered message correlates
  // after the migration, never in the middle of it
  for (const subscription of opened) {
    if (it.state.get('subscriptions', subscription.key)) correlateBufferedMessage(it, subscription);
  }
}

function migrateElement(it: Interpreter, plan: MigrationPlan, migration: ElementMigration, opened: MessageSubscriptionRecord[]): void {
  const { instance, targetElementId } = migration;
  const { target } = plan;
  const moved = { processDefinitionKey: target.key, bpmnProcessId: target.bpmnProcessId };
  Object.assign(instance, moved, { elementId: targetElementId });
  if (migration.joins) instance.joins = migration.joins;

  if (instance.jobKey !== undefined) {
    const job = it.state.get('jobs', instance.jobKey);
    if (job) it.state.put('jobs', job.key, Object.assign(job, moved, { processDefinitionVersion: target.version, elementId: targetElementId }));
  }
  if (instance.userTaskKey !== undefined) {
    const task = it.state.get('userTasks', instance.userTaskKey);
    if (task) it.state.put('userTasks', task.key, Object.assign(task, moved, { processDefinitionVersion: target.version, elementId: targetElementId }));
  }
  for (const incident of it.state.values('incidents')) {
    if (incident.elementInstanceKey === instance.key && incident.state === 'ACTIVE') {
      it.state.put('incidents', incident.key, Object.assign(incident, moved, { elementId: targetElementId }));
    }
  }

  for (const key of migration.closedSubscriptions) it.state.remove('subscriptions', key);
  for (const key of migration.closedTimers) it.state.remove('timers', key);
  const subscriptionKeys = (instance.subscriptionKeys ?? []).filter((k) => !migration.closedSubscriptions.includes(k));
  const timerKeys = (instance.timerKeys ?? []).filter((k) => !migration.closedTimers.includes(k));
  for (const key of subscriptionKeys) {
    const subscription = it.state.get('subscriptions', key);
    if (subscription) it.state.put('subscriptions', key, Object.assign(subscription, { bpmnProcessId: target.bpmnProcessId }, migration.retargeted.get(key)));
  }
  for (const key of timerKeys) {
    const timer = it.state.get('timers', key);
    if (timer) it.state.put('timers', key, Object.assign(timer, migration.retargeted.get(key)));
  }
  for (const event of migration.opened) {
    const key = it.state.newKey();
    if (event.kind === 'timer') {
      const timer: TimerRecord = {
        key,
        processInstanceKey: instance.processInstanceKey,
        elementInstanceKey: instance.key,
        catchElementId: event.catchElementId,
        dueDate: event.dueDate,
        repetitions: event.repetitions,
        ...(event.interval ? { interval: event.interval } : {}),
        interrupting: event.interrupting,
        tenantId: instance.tenantId,
      };
      it.state.put('timers', key, timer);
      timerKeys.push(key);
    } else {
      const subscription: MessageSubscriptionRecord = {
        key,
        ...(event.kind === 'signal' ? { signal: true as const } : {}),
        messageName: event.messageName,
        correlationKey: event.correlationKey,
        processInstanceKey: instance.processInstanceKey,
        bpmnProcessId: target.bpmnProcessId,
        elementInstanceKey: instance.key,
        catchElementId: event.catchElementId,
        interrupting: event.interrupting,
        tenantId: instance.tenantId,
      };
      it.state.put('subscriptions', key, subscription);
      subscriptionKeys.push(key);
      if (event.kind === 'message') opened.push(subscription);
    }
  }
  setKeys(instance, 'subscriptionKeys', subscriptionKeys);
  setKeys(instance, 'timerKeys', timerKeys);
  it.save(instance);
}

function setKeys(instance: ElementInstanceRecord, field: 'subscriptionKeys' | 'timerKeys', keys: number[]): void {
  if (keys.length > 0) instance[field] = keys;
  else delete instance[field];
}

function migrateCompensations(it: Interpreter, plan: MigrationPlan): void {
  for (const record of [...it.state.values('compensations')]) {
    if (record.processInstanceKey !== plan.root.key) continue;
    const targetId = plan.mapping.get(record.elementId) ?? record.elementId;
    const handlerId = plan.targetModel.elements[targetId]?.compensationHandlerId;
    if (handlerId === undefined) it.state.remove('compensations', record.key);
    else it.state.put('compensations', record.key, { ...record, elementId: targetId, handlerId });
  }
}
