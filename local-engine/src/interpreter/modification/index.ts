/**
 * Process instance modification (docs/8.8 components/concepts/process-instance-modification;
 * Zeebe 8.8's `ProcessInstanceModificationModifyProcessor`, camunda/camunda
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/).
 *
 * The whole command is checked first (validate.ts, then the flow scopes of every activation are
 * planned and the terminations rehearsed); any broken rule rejects it with nothing changed. Then,
 * in Zeebe's order:
 * 1. per activate instruction, the element's flow scopes are entered: existing instances are
 *    reused, missing ones (embedded and event subprocesses) are created as Zeebe creates them —
 *    activated directly, without input mappings or start event, with their variables (from the
 *    instruction) and their boundary events and event subprocess subscriptions;
 * 2. the terminate instructions end their element instances and every flow scope left empty;
 * 3. each element is activated in its flow scope as if a token arrived (input mappings, its job,
 *    user task, subscription, ...), with the variables the instruction gives its own scope set
 *    before its input mappings run.
 */
import { openBoundaryEvents, openEventSubProcessSubscriptions } from '../events/subscriptions';
import type { Interpreter } from '../interpreter';
import type { ElementInstanceRecord } from '../../state/records';
import { FlowScopePlanner, type PlannedScope } from './flow-scopes';
import type { ActivateInstruction, ProcessInstanceModification } from './instructions';
import { probeSubscriptions } from './probe-subscriptions';
import { checkCalledInstanceSurvives, terminateInstances } from './terminate';
import { validateModification } from './validate';

export type { ActivateInstruction, ProcessInstanceModification, TerminateInstruction, VariableInstruction } from './instructions';

/** The variables an instruction creates in the scope of `elementId` (empty: the process instance). */
function variablesFor(activation: ActivateInstruction, elementId: string, isProcess: boolean): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const instruction of activation.variableInstructions) {
    if (instruction.scopeId === elementId || (instruction.scopeId === '' && isProcess)) Object.assign(variables, instruction.variables);
  }
  return variables;
}

/** Creates a flow scope instance the way Zeebe's modification does: activated at once, with its variables and subscriptions. */
function createFlowScope(it: Interpreter, scope: PlannedScope, variables: Record<string, unknown>): ElementInstanceRecord {
  const parent = scope.parent!.instance!;
  const element = it.model(parent).elements[scope.elementId]!;
  const instance: ElementInstanceRecord = {
    key: it.state.newKey(),
    processInstanceKey: parent.processInstanceKey,
    processDefinitionKey: parent.processDefinitionKey,
    bpmnProcessId: parent.bpmnProcessId,
    elementId: element.id,
    bpmnElementType: element.bpmnElementType,
    flowScopeKey: parent.key,
    state: 'ACTIVATED',
    tenantId: parent.tenantId,
    startDate: it.clock.now(),
    activeChildren: 0,
  };
  it.save(instance);
  it.childSet(parent.key).add(instance.key);
  parent.activeChildren += 1;
  it.save(parent);
  it.variables.setLocal(instance.key, variables);
  if (element.boundaryIds.length > 0) openBoundaryEvents(it, instance, element);
  openEventSubProcessSubscriptions(it, instance, element);
  return instance;
}

/** Enters the planned flow scopes of one activation and answers the element's direct flow scope. */
function enterFlowScopes(it: Interpreter, chain: PlannedScope[], activation: ActivateInstruction): ElementInstanceRecord {
  chain.forEach((scope, index) => {
    const variables = variablesFor(activation, scope.elementId, index === 0);
    if (scope.instance) it.variables.setLocal(scope.instance.key, variables);
    else scope.instance = createFlowScope(it, scope, variables);
  });
  return chain[chain.length - 1]!.instance!;
}

/**
 * Modifies a process instance: activates elements and terminates element instances, all or nothing.
 * @throws CommandRejection NOT_FOUND (no such active process instance) or INVALID_ARGUMENT (an instruction Zeebe rejects).
 */
export function modifyProcessInstance(it: Interpreter, request: ProcessInstanceModification): void {
  const { processInstance, model } = validateModification(it, request);
  const planner = new FlowScopePlanner(it, model, processInstance);
  const chains = request.activateInstructions.map((activation) => planner.plan(activation));
  const existingScopes = new Set(chains.flatMap((chain) => chain.flatMap((scope) => (scope.instance ? [scope.instance.key] : []))));
  checkCalledInstanceSurvives(it, model, request.terminateInstructions, existingScopes);
  probeSubscriptions(it, model, chains, request.activateInstructions);

  // nothing has changed so far; from here on the modification applies completely
  const flowScopes = request.activateInstructions.map((activation, index) => enterFlowScopes(it, chains[index]!, activation));
  terminateInstances(it, request.terminateInstructions, new Set(flowScopes.flatMap((_, index) => chains[index]!.map((scope) => scope.instance!.key))));
  request.activateInstructions.forEach((activation, index) => {
    const flowScope = flowScopes[index]!;
    // an element activated before may have ended the scope (a terminate end event, an interruption)
    if (!it.isActive(flowScope)) return;
    it.activate(activation.elementId, flowScope, { localVariables: variablesFor(activation, activation.elementId, false) });
  });
}
