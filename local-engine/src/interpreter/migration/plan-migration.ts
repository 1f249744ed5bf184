/**
 * Validation of a process instance migration, as Zeebe 8.8's `ProcessInstanceMigrationPreconditions`
 * and `ProcessInstanceMigrationMigrateProcessor` (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/processinstance/) and the limits of
 * docs.camunda.io/docs/8.8/components/concepts/process-instance-migration/#limitations.
 *
 * The rule: every active element instance (breadth-first from the process instance) needs a
 * mapping instruction to an element of the same type in the same (mapped) flow scope, and every
 * catch event it owns is migrated (mapped), closed (unmapped) or opened (new in the target). The
 * plan is computed without touching the state, including the expressions of the catch events to
 * open, so a rejection leaves everything as it was (the migration is transactional).
 */
import { ExpressionError, evaluateString, evaluateValue } from '../../feel/expression';
import type { ElementModel, ProcessModel } from '../../model/process-model';
import type { ElementInstanceRecord, ProcessDefinitionRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { CommandRejection } from '../rejection';
import { TimerValueError, dateToMillis, durationToMillis, parseCycle } from '../timer-values';

/** One mapping instruction of a migration plan. */
export interface MappingInstruction {
  sourceElementId: string;
  targetElementId: string;
}

/** A migration command, as both protocols carry it. */
export interface MigrationCommand {
  processInstanceKey: number;
  targetProcessDefinitionKey: number;
  mappingInstructions: MappingInstruction[];
}

/** A catch event to open for an owner: its evaluated subscription or timer, keys still to hand out. */
export type NewCatchEvent =
  | { kind: 'message' | 'signal'; catchElementId: string; interrupting: boolean; messageName: string; correlationKey: string }
  | { kind: 'timer'; catchElementId: string; interrupting: boolean; dueDate: number; repetitions: number; interval?: string };

/** What happens to one active element instance. */
export interface ElementMigration {
  instance: ElementInstanceRecord;
  targetElementId: string;
  /** Subscriptions and timers it owns that move to another catch element (key -> target catch element). */
  retargeted: Map<number, { catchElementId: string; interrupting: boolean }>;
  /** Subscriptions and timers it owns that are closed. */
  closedSubscriptions: number[];
  closedTimers: number[];
  opened: NewCatchEvent[];
  /** Waiting join tokens of a scope, rewritten to the target's gateway and flow ids. */
  joins?: Record<string, Record<string, number>>;
}

/** A validated migration. */
export interface MigrationPlan {
  root: ElementInstanceRecord;
  target: ProcessDefinitionRecord;
  targetModel: ProcessModel;
  sourceModel: ProcessModel;
  /** Mapping instructions by source element id. */
  mapping: Map<string, string>;
  elements: ElementMigration[];
}

const supportedTypes = new Set([
  'PROCESS',
  'SERVICE_TASK',
  'USER_TASK',
  'SUB_PROCESS',
  'CALL_ACTIVITY',
  'INTERMEDIATE_CATCH_EVENT',
  'RECEIVE_TASK',
  'EVENT_SUB_PROCESS',
  'EXCLUSIVE_GATEWAY',
  'EVENT_BASED_GATEWAY',
  'BUSINESS_RULE_TASK',
  'SCRIPT_TASK',
  'SEND_TASK',
  'MULTI_INSTANCE_BODY',
]);

const invalidState = (message: string) => new CommandRejection('INVALID_STATE', message);
const invalidArgument = (message: string) => new CommandRejection('INVALID_ARGUMENT', message);

/** Validates a migration command and plans it; throws the rejection Zeebe would answer. */
export function planMigration(it: Interpreter, command: MigrationCommand): MigrationPlan {
  const { processInstanceKey: piKey, targetProcessDefinitionKey, mappingInstructions } = command;
  const root = it.state.get('elements', piKey);
  if (!root || root.flowScopeKey !== undefined || !it.isActive(root)) {
    throw new CommandRejection('NOT_FOUND', `Expected to migrate process instance but no process instance found with key '${piKey}'`);
  }
  const target = it.state.get('processes', targetProcessDefinitionKey);
  const targetModel = target ? it.models.get(target.key) : undefined;
  if (!target || !targetModel) {
    throw new CommandRejection('NOT_FOUND', `Expected to migrate process instance to process definition but no process definition found with key '${targetProcessDefinitionKey}'`);
  }
  const sourceModel = it.model(root);

  const counts = new Map<string, number>();
  for (const instruction of mappingInstructions) counts.set(instruction.sourceElementId, (counts.get(instruction.sourceElementId) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  if (duplicates.length > 0) {
    throw invalidArgument(`Expected to migrate process instance '${piKey}' but the mapping instructions contain duplicate source element ids '[${duplicates.join(', ')}]'.`);
  }
  const exists = (model: ProcessModel, id: string) => model.elements[id] !== undefined || model.flows[id] !== undefined;
  for (const { sourceElementId, targetElementId } of mappingInstructions) {
    if (!exists(sourceModel, sourceElementId)) {
      throw invalidArgument(
        `Expected to migrate process instance '${piKey}' but mapping instructions contain a non-existing source element id '${sourceElementId}'. Elements provided in mapping instructions must exist in the source process definition.`,
      );
    }
    if (!exists(targetModel, targetElementId)) {
      throw invalidArgument(
        `Expected to migrate process instance '${piKey}' but mapping instructions contain a non-existing target element id '${targetElementId}'. Elements provided in mapping instructions must exist in the target process definition.`,
      );
    }
  }
  const mapping = new Map(mappingInstructions.map((i) => [i.sourceElementId, i.targetElementId]));
  requireNoStartEventInstance(it, root, target, targetModel);

  const plan: MigrationPlan = { root, target, targetModel, sourceModel, mapping, elements: [] };
  const targetOf = new Map<number, string>([[root.key, target.bpmnProcessId]]);
  const queue: ElementInstanceRecord[] = [root];
  while (queue.length > 0) {
    const instance = queue.shift()!;
    const targetElementId = instance === root ? target.bpmnProcessId : checkElement(it, plan, instance, targetOf);
    targetOf.set(instance.key, targetElementId);
    plan.elements.push(planElement(it, plan, instance, targetElementId));
    queue.push(...it.activeChildren(instance.key).sort((a, b) => a.key - b.key));
  }
  return plan;
}

/** A target with a message start event allows one active instance per correlation key (Zeebe's `requireNoStartEventInstanceForTargetProcess`). */
function requireNoStartEventInstance(it: Interpreter, root: ElementInstanceRecord, target: ProcessDefinitionRecord, targetModel: ProcessModel): void {
  const correlationKey = (root as ElementInstanceRecord & { startCorrelationKey?: string }).startCorrelationKey;
  if (root.bpmnProcessId === target.bpmnProcessId || targetModel.messageStartIds.length === 0 || !correlationKey) return;
  const busy = [...it.state.values('elements')].some(
    (e) =>
      e.flowScopeKey === undefined &&
      e.bpmnProcessId === target.bpmnProcessId &&
      e.tenantId === root.tenantId &&
      it.isActive(e) &&
      (e as ElementInstanceRecord & { startCorrelationKey?: string }).startCorrelationKey === correlationKey,
  );
  if (busy) {
    throw invalidState(
      `Expected to migrate process instance '${root.key}' but target process definition '${target.key}' has an active instance triggered by a message start event with correlation key '${correlationKey}'. Only one instance per correlation key is allowed for message start events.`,
    );
  }
}

/** The element checks of one active element instance below the process; answers its target element id. */
function checkElement(it: Interpreter, plan: MigrationPlan, instance: ElementInstanceRecord, targetOf: Map<number, string>): string {
  const piKey = plan.root.key;
  const id = instance.elementId;
  if (!supportedTypes.has(instance.bpmnElementType)) {
    throw invalidState(`Expected to migrate process instance '${piKey}' but active element with id '${id}' has an unsupported type. The migration of a ${instance.bpmnElementType} is not supported.`);
  }
  const targetElementId = plan.mapping.get(id);
  const targetElement = targetElementId === undefined ? undefined : plan.targetModel.elements[targetElementId];
  if (targetElementId === undefined || !targetElement) {
    throw invalidState(`Expected to migrate process instance '${piKey}' but no mapping instruction defined for active element with id '${id}'. Elements cannot be migrated without a mapping.`);
  }
  const targetType = instance.isMultiInstanceBody && targetElement.multiInstance ? 'MULTI_INSTANCE_BODY' : targetElement.bpmnElementType;
  if (instance.bpmnElementType !== targetType) {
    throw invalidState(
      `Expected to migrate process instance '${piKey}' but active element with id '${id}' and type '${instance.bpmnElementType}' is mapped to an element with id '${targetElementId}' and different type '${targetType}'. Elements must be mapped to elements of the same type.`,
    );
  }
  const sourceElement = it.element(instance);
  if (instance.bpmnElementType === 'USER_TASK') {
    // 8.8.0 to 8.8.16 migrate no user task from one implementation to the other (docs/8.8 #limitations)
    const sourceImplementation = sourceElement.userTask ? 'zeebe user task' : 'job worker';
    const targetImplementation = targetElement.userTask ? 'zeebe user task' : 'job worker';
    if (sourceImplementation !== targetImplementation) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active user task with id '${id}' and implementation '${sourceImplementation}' is mapped to an user task with id '${targetElementId}' and different implementation '${targetImplementation}'. Elements must be mapped to elements of the same implementation.`,
      );
    }
  }
  if (instance.isMultiInstanceBody && sourceElement.multiInstance!.sequential !== targetElement.multiInstance!.sequential) {
    throw invalidState(
      `Expected to migrate process instance '${piKey}' but active element with id '${id}' has a different loop characteristics than the target element with id '${targetElementId}'. Both elements must have either sequential or parallel loop characteristics.`,
    );
  }
  const flowScope = it.state.get('elements', instance.flowScopeKey!)!;
  const expectedScope = targetOf.get(flowScope.key)!;
  // an inner instance of a multi-instance body lives in the body of its own element
  const actualScope = flowScope.isMultiInstanceBody && flowScope.elementId === id ? targetElementId : (targetElement.parentId ?? '');
  if (expectedScope !== actualScope) {
    throw invalidState(
      `Expected to migrate process instance '${piKey}' but the flow scope of active element with id '${id}' is changed. The flow scope of the active element is expected to be '${expectedScope}' but was '${actualScope}'. The flow scope of an element cannot be changed during migration yet.`,
    );
  }
  return targetElementId;
}

/**
 * The catch elements an element instance owns subscriptions or timers for: its boundary events
 * (the body's, for a multi-instance activity), the start events of a scope's event subprocesses,
 * the events behind an event-based gateway, and a catch event or receive task itself.
 */
function catchElements(model: ProcessModel, element: ElementModel, instance: ElementInstanceRecord): ElementModel[] {
  const found: ElementModel[] = [];
  if (instance.loopCounter === undefined) for (const id of element.boundaryIds) found.push(model.elements[id]!);
  for (const subId of element.eventSubProcessIds) {
    const startId = model.elements[subId]!.childIds.find((c) => model.elements[c]?.kind === 'startEvent');
    if (startId) found.push(model.elements[startId]!);
  }
  if (element.kind === 'eventBasedGateway') for (const flowId of element.outgoing) found.push(model.elements[model.flows[flowId]!.targetId]!);
  if (element.kind === 'intermediateCatchEvent' || element.kind === 'receiveTask') found.push(element);
  return found.filter((e) => e.event && ['message', 'signal', 'timer'].includes(e.event.kind));
}

/** Plans the catch events and join tokens of one active element instance. */
function planElement(it: Interpreter, plan: MigrationPlan, instance: ElementInstanceRecord, targetElementId: string): ElementMigration {
  const piKey = plan.root.key;
  const sourceElement = plan.sourceModel.elements[instance.elementId]!;
  const targetElement = plan.targetModel.elements[targetElementId]!;
  const migration: ElementMigration = { instance, targetElementId, retargeted: new Map(), closedSubscriptions: [], closedTimers: [], opened: [] };
  const sources = catchElements(plan.sourceModel, sourceElement, instance);
  const targets = catchElements(plan.targetModel, targetElement, instance);
  const targetIds = new Set(targets.map((t) => t.id));
  // the element itself is mapped by its own instruction; other catch events by theirs
  const catchTarget = (sourceId: string) => (sourceId === sourceElement.id ? targetElementId : plan.mapping.get(sourceId));
  const mappedTargets = new Map<string, string>();
  for (const source of sources) {
    const mapped = catchTarget(source.id);
    if (mapped === undefined) continue;
    if (!targetIds.has(mapped)) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active element with id '${instance.elementId}' is mapped to an element with id '${targetElementId}' and has a catch event with id '${source.id}' that is mapped to a catch event with id '${mapped}'. These mappings detach the catch event from the element in the target process. Catch events must stay attached to the same element instance.`,
      );
    }
    const other = mappedTargets.get(mapped);
    if (other !== undefined) {
      throw invalidState(`Expected to migrate process instance '${piKey}' but the mapping instructions map the catch events '${other}' and '${source.id}' to the same catch event '${mapped}'. Each catch event can only be the target of one mapping instruction.`);
    }
    mappedTargets.set(mapped, source.id);
    const targetCatch = plan.targetModel.elements[mapped]!;
    if (targetCatch.event!.kind !== source.event!.kind) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active element with id '${instance.elementId}' has a catch event with id '${source.id}' of type '${source.event!.kind.toUpperCase()}' that is mapped to a catch event with id '${mapped}' of different type '${targetCatch.event!.kind.toUpperCase()}'. Catch events must be mapped to catch events of the same type.`,
      );
    }
  }

  const kept = new Map<number, string>();
  for (const key of instance.subscriptionKeys ?? []) {
    const subscription = it.state.get('subscriptions', key);
    if (!subscription) continue;
    const mapped = catchTarget(subscription.catchElementId);
    if (mapped === undefined || !targetIds.has(mapped)) migration.closedSubscriptions.push(key);
    else {
      migration.retargeted.set(key, { catchElementId: mapped, interrupting: interruptingOf(plan.targetModel.elements[mapped]!, instance) });
      kept.set(key, subscription.messageName);
    }
  }
  for (const key of instance.timerKeys ?? []) {
    const timer = it.state.get('timers', key);
    if (!timer) continue;
    const mapped = catchTarget(timer.catchElementId);
    if (mapped === undefined || !targetIds.has(mapped)) migration.closedTimers.push(key);
    else migration.retargeted.set(key, { catchElementId: mapped, interrupting: interruptingOf(plan.targetModel.elements[mapped]!, instance) });
  }

  // target catch events no instruction leads to are opened, unless the instance already caught
  // them (a triggered catch event or receive task owns nothing any more)
  const ownSubscriptionNames = new Set(
    (instance.subscriptionKeys ?? []).map((k) => it.state.get('subscriptions', k)).filter((s) => s && !s.signal).map((s) => s!.messageName),
  );
  for (const targetCatch of targets) {
    if (mappedTargets.has(targetCatch.id) || targetCatch.id === targetElementId) continue;
    const opened = evaluateCatchEvent(it, plan, instance, targetCatch);
    if (opened.kind === 'message' && ownSubscriptionNames.has(opened.messageName)) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active element with id '${instance.elementId}' attempts to subscribe to a message it is already subscribed to with name '${opened.messageName}'. Migrating active elements that subscribe to a message they are already subscribed to is not possible yet. Please provide a mapping instruction to message catch event with id '${targetCatch.id}' to migrate the respective message subscription.`,
      );
    }
    migration.opened.push(opened);
  }
  if (instance.joins) migration.joins = planJoins(plan, instance, targetElementId);
  return migration;
}

function interruptingOf(catchElement: ElementModel, owner: ElementInstanceRecord): boolean {
  // events behind an event-based gateway, catch events and receive tasks end their owner's wait
  if (owner.bpmnElementType === 'EVENT_BASED_GATEWAY' || catchElement.kind === 'intermediateCatchEvent' || catchElement.kind === 'receiveTask') return true;
  return catchElement.interrupting !== false;
}

/** Evaluates what a new subscription or timer of a target catch event needs, in the owner's scope. */
function evaluateCatchEvent(it: Interpreter, plan: MigrationPlan, owner: ElementInstanceRecord, catchElement: ElementModel): NewCatchEvent {
  const context = it.variables.visible(owner.key);
  const interrupting = interruptingOf(catchElement, owner);
  const event = catchElement.event!;
  try {
    if (event.kind === 'message') {
      return {
        kind: 'message',
        catchElementId: catchElement.id,
        interrupting,
        messageName: evaluateString(event.messageName!, context, 'message name'),
        correlationKey: evaluateString(event.correlationKey!, context, 'correlation key'),
      };
    }
    if (event.kind === 'signal') {
      return { kind: 'signal', catchElementId: catchElement.id, interrupting, messageName: evaluateString(event.signalName!, context, 'signal name'), correlationKey: '' };
    }
    const now = it.clock.now();
    const value = String(evaluateValue(event.timer!.value, context));
    if (event.timer!.kind === 'duration') return { kind: 'timer', catchElementId: catchElement.id, interrupting, dueDate: now + durationToMillis(value, now), repetitions: 0 };
    if (event.timer!.kind === 'date') return { kind: 'timer', catchElementId: catchElement.id, interrupting, dueDate: dateToMillis(value), repetitions: 0 };
    const cycle = parseCycle(value, now);
    return { kind: 'timer', catchElementId: catchElement.id, interrupting, dueDate: cycle.firstDue, repetitions: cycle.repetitions, interval: cycle.interval };
  } catch (error) {
    if (!(error instanceof ExpressionError || error instanceof TimerValueError)) throw error;
    throw invalidState(
      `Expected to migrate process instance '${plan.root.key}' but active element with id '${owner.elementId}' is mapped to an element with id '${plan.mapping.get(owner.elementId) ?? plan.target.bpmnProcessId}' that must be subscribed to a catch event with id '${catchElement.id}', but the subscription failed: ${error.message}`,
    );
  }
}

/**
 * Join tokens waiting at a parallel or inclusive gateway of a scope (docs/8.8 #migrating-joining-
 * parallel-and-inclusive-gateways): the gateway needs a mapping to a gateway of the same type in
 * the scope's target with at least as many incoming flows; each taken flow goes to its mapped flow
 * (or the flow of the same id) into that gateway.
 */
function planJoins(plan: MigrationPlan, scope: ElementInstanceRecord, scopeTargetId: string): Record<string, Record<string, number>> {
  const piKey = plan.root.key;
  const result: Record<string, Record<string, number>> = {};
  for (const [gatewayId, tokens] of Object.entries(scope.joins ?? {})) {
    const source = plan.sourceModel.elements[gatewayId]!;
    const targetId = plan.mapping.get(gatewayId);
    const target = targetId === undefined ? undefined : plan.targetModel.elements[targetId];
    if (targetId === undefined || !target) {
      throw invalidState(`Expected to migrate process instance '${piKey}' but no mapping instruction defined for active element with id '${gatewayId}'. Elements cannot be migrated without a mapping.`);
    }
    if (target.bpmnElementType !== source.bpmnElementType) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active element with id '${gatewayId}' and type '${source.bpmnElementType}' is mapped to an element with id '${targetId}' and different type '${target.bpmnElementType}'. Elements must be mapped to elements of the same type.`,
      );
    }
    if ((target.parentId ?? '') !== scopeTargetId) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but the flow scope of active element with id '${gatewayId}' is changed. The flow scope of the active element is expected to be '${scopeTargetId}' but was '${target.parentId ?? ''}'. The flow scope of an element cannot be changed during migration yet.`,
      );
    }
    if (target.incoming.length < source.incoming.length) {
      throw invalidState(
        `Expected to migrate process instance '${piKey}' but active gateway with id '${gatewayId}' has more incoming sequence flows than the target gateway with id '${targetId}'. The target gateway must have at least the same number of incoming sequence flows.`,
      );
    }
    const rewritten: Record<string, number> = {};
    for (const [flowId, count] of Object.entries(tokens)) {
      const targetFlowId = plan.mapping.get(flowId) ?? flowId;
      if (plan.targetModel.flows[targetFlowId]?.targetId !== targetId) {
        throw invalidState(
          `Expected to migrate process instance '${piKey}' but the taken sequence flow with id '${flowId}' of active gateway with id '${gatewayId}' is mapped to '${targetFlowId}', which is no incoming sequence flow of the target gateway with id '${targetId}'. Provide a mapping instruction for the sequence flow.`,
        );
      }
      rewritten[targetFlowId] = (rewritten[targetFlowId] ?? 0) + count;
    }
    result[targetId] = rewritten;
  }
  return result;
}
