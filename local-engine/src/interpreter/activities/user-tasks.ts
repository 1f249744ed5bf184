/**
 * Camunda user tasks (`zeebe:userTask`): a user task record with assignment, schedule, priority
 * and the linked form (latest deployed version of its form id, as Zeebe's default binding).
 */
import { ExpressionError, evaluateValue } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';

/** Creates the user task record of a Camunda user task instance. */
export function createUserTask(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): void {
  const context = it.variables.visible(instance.key);
  const definition = element.userTask ?? {};
  const list = (value: string | undefined): string[] => {
    if (!value) return [];
    const result = evaluateValue(value, context);
    if (Array.isArray(result)) return result.map(String);
    return String(result)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  };
  const text = (value: string | undefined): string | undefined => {
    if (!value) return undefined;
    const result = evaluateValue(value, context);
    return result === null || result === undefined || result === '' ? undefined : String(result);
  };
  let formKey: number | undefined;
  if (definition.formId) {
    // Zeebe links the latest deployed version of the form at creation time ("latest" binding).
    let latest: number | undefined;
    let version = 0;
    for (const form of it.state.values('forms')) {
      if (form.formId === definition.formId && form.tenantId === instance.tenantId && form.version > version) {
        version = form.version;
        latest = form.key;
      }
    }
    if (latest === undefined) {
      throw new ExpressionError(definition.formId, `Expected to find a form with id '${definition.formId}', but no form with this id is deployed`);
    }
    formKey = latest;
  }
  const process = it.state.get('processes', instance.processDefinitionKey)!;
  const key = it.state.newKey();
  const assignee = text(definition.assignee);
  const dueDate = text(definition.dueDate);
  const followUpDate = text(definition.followUpDate);
  const priority = definition.priority ? Number(evaluateValue(definition.priority, context)) : 50;
  it.state.put('userTasks', key, {
    key,
    elementInstanceKey: instance.key,
    processInstanceKey: instance.processInstanceKey,
    processDefinitionKey: instance.processDefinitionKey,
    processDefinitionVersion: process.version,
    bpmnProcessId: instance.bpmnProcessId,
    elementId: instance.elementId,
    ...(element.name ? { name: element.name } : {}),
    state: 'CREATED',
    ...(assignee ? { assignee } : {}),
    candidateGroups: list(definition.candidateGroups),
    candidateUsers: list(definition.candidateUsers),
    ...(dueDate ? { dueDate } : {}),
    ...(followUpDate ? { followUpDate } : {}),
    priority: Number.isFinite(priority) ? priority : 50,
    ...(formKey !== undefined ? { formKey } : {}),
    ...(definition.externalFormReference ? { externalFormReference: definition.externalFormReference } : {}),
    customHeaders: {},
    creationDate: it.clock.now(),
    tenantId: instance.tenantId,
  });
  instance.userTaskKey = key;
  it.save(instance);
}
