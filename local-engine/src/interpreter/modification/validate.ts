/**
 * The checks Zeebe 8.8 makes before it applies a modification, in its order
 * (`ProcessInstanceModificationModifyProcessor.validateCommand`, camunda/camunda
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/, stable/8.8
 * including the backport camunda/camunda#40973). The first rule an instruction breaks rejects the
 * whole command with INVALID_ARGUMENT, in Zeebe's words; nothing has changed at that point.
 */
import type { ProcessModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { CommandRejection } from '../rejection';
import type { ActivateInstruction, ProcessInstanceModification } from './instructions';

/** The element types Zeebe's modification can activate (its BpmnElementType order), as far as this engine has them. */
const supportedTypes = [
  'SUB_PROCESS',
  'EVENT_SUB_PROCESS',
  'INTERMEDIATE_CATCH_EVENT',
  'INTERMEDIATE_THROW_EVENT',
  'END_EVENT',
  'SERVICE_TASK',
  'RECEIVE_TASK',
  'USER_TASK',
  'MANUAL_TASK',
  'TASK',
  'EXCLUSIVE_GATEWAY',
  'PARALLEL_GATEWAY',
  'EVENT_BASED_GATEWAY',
  'INCLUSIVE_GATEWAY',
  'MULTI_INSTANCE_BODY',
  'CALL_ACTIVITY',
  'BUSINESS_RULE_TASK',
  'SCRIPT_TASK',
  'SEND_TASK',
];

/** The ids of an element's flow scopes, innermost first, ending with the process. */
export function flowScopeIds(model: ProcessModel, elementId: string): string[] {
  const ids: string[] = [];
  let current = model.elements[elementId]?.parentId;
  while (current !== undefined) {
    ids.push(current);
    current = model.elements[current]?.parentId;
  }
  return ids;
}

/** Everything a rule needs to look at. */
interface Context {
  it: Interpreter;
  model: ProcessModel;
  processInstance: ElementInstanceRecord;
  request: ProcessInstanceModification;
}

type Rule = (context: Context) => string | undefined;

const quoted = (values: Iterable<unknown>) => [...values].map(String).join("', '");

const elementExists: Rule = ({ model, request }) => {
  const unknown = new Set(request.activateInstructions.map((a) => a.elementId).filter((id) => !model.elements[id] && !model.flows[id]));
  if (unknown.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions with an element that could not be found: '${quoted(unknown)}'`;
};

const notAfterEventBasedGateway: Rule = ({ model, request }) => {
  const ids = new Set(
    request.activateInstructions
      .map((a) => a.elementId)
      .filter((id) => {
        const element = model.elements[id];
        return element?.kind === 'intermediateCatchEvent' && element.incoming.some((f) => model.elements[model.flows[f]?.sourceId ?? '']?.kind === 'eventBasedGateway');
      }),
  );
  if (ids.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions for elements that are unsupported: '${quoted(ids)}'. The activation of events belonging to an event-based gateway is not supported.`;
};

/** The type of an element that cannot be activated (start and boundary events, sequence flows, the process itself), else undefined. */
function unsupportedType(model: ProcessModel, id: string): string | undefined {
  if (model.flows[id]) return 'SEQUENCE_FLOW';
  const kind = model.elements[id]?.kind;
  if (kind === 'startEvent') return 'START_EVENT';
  if (kind === 'boundaryEvent') return 'BOUNDARY_EVENT';
  // Zeebe lists PROCESS as supported, but activating the process inside its own instance has no meaning
  if (kind === 'process') return 'PROCESS';
  return undefined;
}

const supportedType: Rule = ({ model, request }) => {
  const ids = [...new Set(request.activateInstructions.map((a) => a.elementId))].filter((id) => unsupportedType(model, id));
  if (ids.length === 0) return undefined;
  const types = new Set(ids.map((id) => unsupportedType(model, id)));
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions for elements that are unsupported: '${quoted(ids)}'. The activation of elements with type '${quoted(types)}' is not supported. Supported element types are: [${supportedTypes.join(', ')}].`;
};

const terminatedInstanceExists: Rule = ({ it, model, processInstance, request }) => {
  const unknown = new Set(
    request.terminateInstructions
      .map((t) => t.elementInstanceKey)
      .filter((key) => {
        const instance = it.state.get('elements', key);
        // Zeebe looks the key up among all live element instances; one of another process
        // instance is not an instance of this one, so it is not found here either
        return !it.isActive(instance) || instance.processInstanceKey !== processInstance.key;
      }),
  );
  if (unknown.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more terminate instructions with an element instance that could not be found: '${quoted(unknown)}'`;
};

const variableScopeExists: Rule = ({ model, request }) => {
  const unknown = new Set(
    request.activateInstructions.flatMap((a) => a.variableInstructions.map((v) => v.scopeId)).filter((id) => id !== '' && !model.elements[id] && !model.flows[id]),
  );
  if (unknown.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more variable instructions with a scope element id that could not be found: '${quoted(unknown)}'`;
};

const variableScopeIsFlowScope: Rule = ({ model, request }) => {
  const outside = request.activateInstructions.some((a) =>
    a.variableInstructions.some((v) => v.scopeId !== '' && v.scopeId !== a.elementId && !flowScopeIds(model, a.elementId).includes(v.scopeId)),
  );
  if (!outside) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more variable instructions with a scope element that doesn't belong to the activating element's flow scope. These variables should be set before or after the modification.`;
};

const withAncestor = (request: ProcessInstanceModification) => request.activateInstructions.filter((a): a is ActivateInstruction & { ancestorElementInstanceKey: number } => a.ancestorElementInstanceKey !== undefined);

const ancestorIsActive: Rule = ({ it, model, request }) => {
  const missing = new Set(withAncestor(request).map((a) => a.ancestorElementInstanceKey).filter((key) => !it.isActive(it.state.get('elements', key))));
  if (missing.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions with an ancestor scope key that does not exist, or is not in an active state: '${quoted(missing)}'`;
};

const ancestorInProcessInstance: Rule = ({ it, model, processInstance, request }) => {
  const foreign = new Set(withAncestor(request).map((a) => a.ancestorElementInstanceKey).filter((key) => it.state.get('elements', key)!.processInstanceKey !== processInstance.key));
  if (foreign.size === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions with an ancestor scope key that does not belong to the modified process instance: '${quoted(foreign)}'`;
};

const ancestorIsFlowScope: Rule = ({ it, model, request }) => {
  const lines = withAncestor(request)
    .map((a) => ({ key: a.ancestorElementInstanceKey, ancestorId: it.state.get('elements', a.ancestorElementInstanceKey)!.elementId, elementId: a.elementId }))
    .filter(({ ancestorId, elementId }) => !flowScopeIds(model, elementId).includes(ancestorId))
    .map(({ key, ancestorId, elementId }) => `\n- instance '${key}' of element '${ancestorId}' is not an ancestor of element '${elementId}'`);
  if (lines.length === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions with an ancestor scope key that is not an ancestor of the element to activate:${lines.join('')}`;
};

/** An activation needs a flow scope instance that a terminate instruction of the same command ends. */
const flowScopeNotTerminated: Rule = ({ it, model, request }) => {
  const conflicts: string[] = [];
  for (const key of new Set(request.terminateInstructions.map((t) => t.elementInstanceKey))) {
    const terminatedId = it.state.get('elements', key)!.elementId;
    for (const activation of request.activateInstructions) {
      const conflict = activation.ancestorElementInstanceKey !== undefined ? activation.ancestorElementInstanceKey === key : flowScopeIds(model, activation.elementId).includes(terminatedId);
      if (conflict) conflicts.push(`element '${activation.elementId}' requires flow scope instance '${key}' which is being terminated`);
    }
  }
  if (conflicts.length === 0) return undefined;
  return `Expected to modify instance of process '${model.bpmnProcessId}' but it contains one or more activate instructions for elements whose required flow scope instance is also being terminated: ${conflicts.join(', ')}. Please provide a valid ancestor scope key for the activation or avoid terminating the required flow scope.`;
};

const rules: Rule[] = [
  elementExists,
  notAfterEventBasedGateway,
  supportedType,
  terminatedInstanceExists,
  variableScopeExists,
  variableScopeIsFlowScope,
  ancestorIsActive,
  ancestorInProcessInstance,
  ancestorIsFlowScope,
  flowScopeNotTerminated,
];

/**
 * Looks up the process instance to modify and checks every instruction against it.
 * @throws CommandRejection NOT_FOUND for an unknown or ended process instance, INVALID_ARGUMENT for the first broken rule.
 */
export function validateModification(it: Interpreter, request: ProcessInstanceModification): { processInstance: ElementInstanceRecord; model: ProcessModel } {
  const processInstance = it.state.get('elements', request.processInstanceKey);
  if (!it.isActive(processInstance) || processInstance.flowScopeKey !== undefined) {
    throw new CommandRejection('NOT_FOUND', `Expected to modify process instance but no process instance found with key '${request.processInstanceKey}'`);
  }
  const model = it.model(processInstance);
  const context: Context = { it, model, processInstance, request };
  for (const rule of rules) {
    const reason = rule(context);
    if (reason !== undefined) throw new CommandRejection('INVALID_ARGUMENT', reason);
  }
  return { processInstance, model };
}
