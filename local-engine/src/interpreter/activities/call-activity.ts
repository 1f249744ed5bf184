/**
 * Call activities: start the latest version of the called process as a child instance, with
 * the parent's variables when `propagateAllParentVariables` (the default).
 */
import { evaluateString } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord, ProcessDefinitionRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';

/** Starts the called process for a call activity instance; an incident when it is not deployed. */
export function callProcess(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): void {
  const called = element.calledElement!;
  const processId = evaluateString(called.processId, it.variables.visible(instance.key), 'process id');
  let definition: ProcessDefinitionRecord | undefined;
  for (const candidate of it.state.values('processes')) {
    if (candidate.bpmnProcessId === processId && candidate.tenantId === instance.tenantId && (!definition || candidate.version > definition.version)) {
      definition = candidate;
    }
  }
  if (!definition) {
    it.raiseIncident(instance, 'CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${processId}' to be deployed, but not found.`, 'activate');
    return;
  }
  const variables = called.propagateAllParentVariables ? it.variables.visible(instance.key) : it.variables.local(instance.key);
  const child = it.createProcessInstance(definition, variables, { parent: instance });
  if (it.isActive(instance)) {
    instance.calledInstanceKey = child.key;
    it.save(instance);
  }
}
