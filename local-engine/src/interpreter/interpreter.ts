/**
 * The BPMN interpreter: element-instance lifecycle (activating, activated, completing, completed,
 * terminating, terminated) over the plain state records, following Zeebe's documented
 * semantics. Every method runs synchronously on the in-memory state; the engine persists the
 * resulting changes before it acknowledges the command that caused them.
 */
import { ExpressionError, evaluateString, evaluateValue } from '../feel/expression';
import type { ElementModel, ProcessModel } from '../model/process-model';
import type { Clock } from '../clock';
import type { EngineState } from '../state/engine-state';
import type {
  ElementInstanceRecord,
  IncidentRecord,
  JobRecord,
  MessageRecord,
  MessageSubscriptionRecord,
  ProcessDefinitionRecord,
  StartTimerRecord,
  TimerRecord,
} from '../state/records';
import { callProcess } from './activities/call-activity';
import { cancelJob, createJob } from './activities/jobs';
import { createUserTask } from './activities/user-tasks';
import { bubbleCompensations, compensationHandlerCompleted, recordCompensation, removeCompensations, triggerCompensation } from './compensation/compensation';
import { throwError, throwEscalation } from './events/errors';
import { closeOwnedEvents, openBoundaryEvents, openEventSubProcessSubscriptions, openMessageSubscription, openSignalSubscription, triggerSubscription } from './events/subscriptions';
import { broadcastSignal } from './events/signals';
import { fireStartTimer } from './events/start-timers';
import { armTimer, fireTimer } from './events/timers';
import { openEventBasedGateway, type CaughtEvent } from './gateways/event-based-gateway';
import { NoFlowError, chooseExclusiveFlow, chooseInclusiveFlows, takeFlows } from './gateways/gateways';
import { activateMultiInstanceBody, innerInstanceCompleted } from './multi-instance/multi-instance';
import { TimerValueError } from './timer-values';
import { Variables, assignTarget } from './variables';

/** Callbacks through which the interpreter tells the outside world what happened. */
export interface InterpreterHooks {
  /** A job became activatable (new, timed out, retried, back-off over). */
  jobActivatable(job: JobRecord): void;
  /** A process instance completed or was terminated. */
  processInstanceEnded(instance: ElementInstanceRecord): void;
}

/** Result variables of an event or a job, applied on the element that receives them. */
export type VariablesDoc = Record<string, unknown>;

const activeStates = new Set(['ACTIVATING', 'ACTIVATED', 'COMPLETING']);

/** Interprets deployed processes over the engine state. */
export class Interpreter {
  readonly variables: Variables;
  /** Parsed models by process definition key. */
  readonly models = new Map<number, ProcessModel>();
  /** Active child element instances by flow scope (derived, rebuilt on load). */
  readonly children = new Map<number, Set<number>>();
  /** Activatable job keys by job type, in creation order (derived, rebuilt on load). */
  readonly activatable = new Map<string, Set<number>>();

  constructor(
    readonly state: EngineState,
    readonly clock: Clock,
    readonly hooks: InterpreterHooks,
  ) {
    this.variables = new Variables(state);
  }

  /** Rebuilds the derived indexes after the state was loaded from the store. */
  rebuildIndexes(): void {
    this.children.clear();
    this.activatable.clear();
    for (const element of this.state.values('elements')) {
      if (activeStates.has(element.state) && element.flowScopeKey !== undefined) this.childSet(element.flowScopeKey).add(element.key);
    }
    for (const job of this.state.values('jobs')) {
      if (job.state === 'ACTIVATABLE') this.indexJob(job);
    }
  }

  // ---------------------------------------------------------------- lookups

  /** The live set of active children of a scope (created on first use). */
  childSet(scopeKey: number): Set<number> {
    let set = this.children.get(scopeKey);
    if (!set) {
      set = new Set();
      this.children.set(scopeKey, set);
    }
    return set;
  }

  /** Active children of a scope. */
  activeChildren(scopeKey: number): ElementInstanceRecord[] {
    return [...(this.children.get(scopeKey) ?? [])].map((k) => this.state.get('elements', k)!).filter(Boolean);
  }

  /** The model of the process an element instance belongs to. */
  model(instance: { processDefinitionKey: number }): ProcessModel {
    const model = this.models.get(instance.processDefinitionKey);
    if (!model) throw new Error(`process definition ${instance.processDefinitionKey} is not loaded`);
    return model;
  }

  /** The element model of an element instance. */
  element(instance: ElementInstanceRecord): ElementModel {
    const element = this.model(instance).elements[instance.elementId];
    if (!element) throw new Error(`element ${instance.elementId} not found`);
    return element;
  }

  /** Writes an element instance back to the state after a mutation. */
  save(instance: ElementInstanceRecord): void {
    this.state.put('elements', instance.key, instance);
  }

  /** True while the element instance is alive. */
  isActive(instance: ElementInstanceRecord | undefined): instance is ElementInstanceRecord {
    return instance !== undefined && activeStates.has(instance.state);
  }

  // ---------------------------------------------------------------- process instances

  /**
   * Creates a process instance: the process element instance (root scope) gets the variables,
   * then its none start event (or the given start elements, or the message or timer start event
   * that happened) is activated.
   */
  createProcessInstance(
    definition: ProcessDefinitionRecord,
    variables: VariablesDoc,
    options: { startElementIds?: string[]; parent?: ElementInstanceRecord; eventStart?: { elementId: string; variables: VariablesDoc } } = {},
  ): ElementInstanceRecord {
    const key = this.state.newKey();
    const model = this.models.get(definition.key)!;
    const root: ElementInstanceRecord = {
      key,
      processInstanceKey: key,
      processDefinitionKey: definition.key,
      bpmnProcessId: definition.bpmnProcessId,
      elementId: definition.bpmnProcessId,
      bpmnElementType: 'PROCESS',
      state: 'ACTIVATED',
      tenantId: definition.tenantId,
      startDate: this.clock.now(),
      activeChildren: 0,
      ...(options.parent
        ? { parentElementInstanceKey: options.parent.key, parentProcessInstanceKey: options.parent.processInstanceKey }
        : {}),
    };
    this.save(root);
    this.variables.setLocal(key, variables);
    openEventSubProcessSubscriptions(this, root, model.elements[model.bpmnProcessId]!);
    if (options.eventStart) {
      this.activate(options.eventStart.elementId, root, { eventVariables: options.eventStart.variables });
    } else if (options.startElementIds && options.startElementIds.length > 0) {
      for (const elementId of options.startElementIds) this.activate(elementId, root);
    } else {
      const startId = model.elements[model.bpmnProcessId]!.noneStartId;
      if (startId) this.activate(startId, root);
    }
    this.checkScopeCompletion(root);
    return root;
  }

  // ---------------------------------------------------------------- activation

  /**
   * Activates an element in a flow scope. `eventVariables` are the variables of the event that
   * triggered it (message, error, timer); `loop` marks an inner instance of a multi-instance body.
   */
  activate(
    elementId: string,
    flowScope: ElementInstanceRecord,
    options: { eventVariables?: VariablesDoc; loop?: { counter: number; item: unknown }; compensationThrowKey?: number; localVariables?: VariablesDoc } = {},
  ): ElementInstanceRecord {
    const model = this.model(flowScope);
    const element = model.elements[elementId]!;
    const instance: ElementInstanceRecord = {
      key: this.state.newKey(),
      processInstanceKey: flowScope.processInstanceKey,
      processDefinitionKey: flowScope.processDefinitionKey,
      bpmnProcessId: flowScope.bpmnProcessId,
      elementId,
      bpmnElementType: element.multiInstance && !options.loop ? 'MULTI_INSTANCE_BODY' : element.bpmnElementType,
      flowScopeKey: flowScope.key,
      state: 'ACTIVATING',
      tenantId: flowScope.tenantId,
      startDate: this.clock.now(),
      activeChildren: 0,
      ...(element.multiInstance && !options.loop ? { isMultiInstanceBody: true } : {}),
      ...(options.loop ? { loopCounter: options.loop.counter } : {}),
      ...(options.compensationThrowKey !== undefined ? { compensationThrowKey: options.compensationThrowKey } : {}),
    };
    this.save(instance);
    this.childSet(flowScope.key).add(instance.key);
    flowScope.activeChildren += 1;
    this.save(flowScope);
    if (options.localVariables) this.variables.setLocal(instance.key, options.localVariables);
    if (options.loop) {
      const mi = element.multiInstance!;
      const locals: VariablesDoc = { loopCounter: options.loop.counter };
      if (mi.inputElement) locals[mi.inputElement] = options.loop.item;
      this.variables.setLocal(instance.key, locals);
    }
    this.runActivation(instance, options.eventVariables);
    return instance;
  }

  /** The activation step; re-run when an incident raised during activation is resolved. */
  runActivation(instance: ElementInstanceRecord, eventVariables?: VariablesDoc): void {
    const element = this.element(instance);
    try {
      if (instance.isMultiInstanceBody) {
        activateMultiInstanceBody(this, instance, element);
        return;
      }
      this.applyInputMappings(instance, element);
      if (eventVariables) this.applyResultVariables(instance, element, eventVariables);
      instance.state = 'ACTIVATED';
      this.save(instance);
      if (element.boundaryIds.length > 0 && instance.loopCounter === undefined) openBoundaryEvents(this, instance, element);
      this.behave(instance, element, eventVariables !== undefined);
    } catch (error) {
      if (error instanceof ExpressionError || error instanceof TimerValueError) {
        this.raiseIncident(instance, error instanceof ExpressionError ? 'EXTRACT_VALUE_ERROR' : 'EXTRACT_VALUE_ERROR', error.message, 'activate');
        return;
      }
      throw error;
    }
  }

  /** Input mappings: each target becomes a local variable of the element instance. */
  applyInputMappings(instance: ElementInstanceRecord, element: ElementModel): void {
    for (const mapping of element.inputs) {
      const context = this.variables.visible(instance.key);
      const value = evaluateValue(mapping.source, context);
      const [name, merged] = assignTarget(mapping.target, value, (n) => this.variables.local(instance.key)[n]);
      this.variables.setOne(instance.key, name, merged);
    }
  }

  /**
   * Result variables (job completion, message, error): local to the element when it has output
   * mappings (which then decide what leaves), otherwise propagated from the element's scope.
   */
  applyResultVariables(instance: ElementInstanceRecord, element: ElementModel, variables: VariablesDoc): void {
    if (Object.keys(variables).length === 0) return;
    if (element.outputs.length > 0) this.variables.setLocal(instance.key, variables);
    else this.variables.propagate(instance.key, variables);
  }

  /**
   * What an element does once activated, by element kind. `triggered`: its event already
   * happened (a catch event reached through the event-based gateway that caught it).
   */
  behave(instance: ElementInstanceRecord, element: ElementModel, triggered = false): void {
    switch (element.kind) {
      case 'jobTask':
        createJob(this, instance, element);
        return;
      case 'userTask':
        createUserTask(this, instance, element);
        return;
      case 'receiveTask':
        openMessageSubscription(this, instance, element, instance, false);
        return;
      case 'intermediateCatchEvent':
        if (triggered) this.complete(instance);
        else if (element.event?.kind === 'message') openMessageSubscription(this, instance, element, instance, false);
        else if (element.event?.kind === 'signal') openSignalSubscription(this, instance, element, instance, false);
        else if (element.event?.kind === 'timer') armTimer(this, instance, element, instance, false);
        return;
      case 'intermediateThrowEvent':
      case 'endEvent':
        this.throwEvent(instance, element);
        return;
      case 'subProcess':
      case 'eventSubProcess': {
        openEventSubProcessSubscriptions(this, instance, element);
        if (element.kind === 'eventSubProcess') return; // its start event is activated by the trigger
        this.activate(element.noneStartId!, instance);
        return;
      }
      case 'callActivity':
        callProcess(this, instance, element);
        return;
      case 'eventBasedGateway':
        openEventBasedGateway(this, instance, element);
        return;
      default:
        // start events, boundary events, gateways, manual and plain tasks complete at once
        this.complete(instance);
    }
  }

  /** Intermediate throw and end events, by event kind. */
  throwEvent(instance: ElementInstanceRecord, element: ElementModel): void {
    const kind = element.event?.kind ?? 'none';
    if (kind === 'message') {
      createJob(this, instance, element);
      return;
    }
    if (kind === 'error') {
      throwError(this, instance, { code: element.event?.code ?? '', message: '', variables: {} }, undefined);
      return;
    }
    if (kind === 'escalation') {
      const interrupted = throwEscalation(this, instance, element.event?.code ?? '');
      if (!interrupted && this.isActive(instance)) this.complete(instance);
      return;
    }
    if (kind === 'compensate') {
      triggerCompensation(this, instance, element.event?.activityRef);
      return;
    }
    if (kind === 'terminate') {
      this.complete(instance, { terminateScope: true });
      return;
    }
    if (kind === 'signal') {
      // as Zeebe: the event's local variables (its input mappings) are the signal's; the event
      // completes before the broadcast is processed
      const signal = {
        name: evaluateString(element.event!.signalName!, this.variables.visible(instance.key), 'signal name'),
        variables: { ...this.variables.local(instance.key) },
        tenantId: instance.tenantId,
      };
      this.complete(instance);
      broadcastSignal(this, signal);
      return;
    }
    this.complete(instance);
  }

  // ---------------------------------------------------------------- completion

  /**
   * Completes an element: output mappings, close its boundary events, then take its outgoing
   * flows (or report to its multi-instance body / compensation throw / caller), then let the
   * flow scope complete when nothing is left in it.
   */
  complete(instance: ElementInstanceRecord, options: { terminateScope?: boolean; caught?: CaughtEvent } = {}): void {
    const element = this.element(instance);
    let flowIds: string[] = [];
    try {
      instance.state = 'COMPLETING';
      this.save(instance);
      if (!instance.isMultiInstanceBody) this.applyOutputMappings(instance, element);
      if (element.kind === 'exclusiveGateway') flowIds = chooseExclusiveFlow(this, instance, element);
      else if (element.kind === 'inclusiveGateway') flowIds = chooseInclusiveFlows(this, instance, element);
      else if (element.kind === 'eventBasedGateway') flowIds = options.caught ? [options.caught.flowId] : [];
      else if (!element.isForCompensation || instance.compensationThrowKey === undefined) flowIds = element.outgoing;
    } catch (error) {
      if (error instanceof ExpressionError || error instanceof NoFlowError) {
        this.raiseIncident(instance, error instanceof NoFlowError ? 'CONDITION_ERROR' : 'EXTRACT_VALUE_ERROR', error.message, 'complete');
        return;
      }
      throw error;
    }
    closeOwnedEvents(this, instance);
    if (element.compensationHandlerId && instance.loopCounter === undefined) recordCompensation(this, instance, element);
    if (element.kind === 'subProcess') bubbleCompensations(this, instance);
    instance.state = 'COMPLETED';
    instance.endDate = this.clock.now();
    this.save(instance);
    if (instance.flowScopeKey === undefined) {
      this.endProcessInstance(instance);
      return;
    }
    const flowScope = this.state.get('elements', instance.flowScopeKey)!;
    if (options.terminateScope) {
      this.leave(instance, flowScope);
      this.terminateChildren(flowScope);
      this.checkScopeCompletion(flowScope);
      return;
    }
    if (instance.loopCounter !== undefined && flowScope.isMultiInstanceBody) {
      this.leave(instance, flowScope);
      innerInstanceCompleted(this, flowScope, instance);
      return;
    }
    if (instance.compensationThrowKey !== undefined) {
      this.leave(instance, flowScope);
      compensationHandlerCompleted(this, instance.compensationThrowKey);
      this.checkScopeCompletion(flowScope);
      return;
    }
    const generation = flowScope.interruptions;
    // an interrupting event subprocess triggered by an earlier flow stops the remaining tokens
    const stopped = () => !this.isActive(flowScope) || flowScope.interruptions !== generation;
    if (options.caught) {
      for (const flowId of flowIds) {
        if (stopped()) break;
        this.activate(this.model(flowScope).flows[flowId]!.targetId, flowScope, { eventVariables: options.caught.variables });
      }
    } else {
      takeFlows(this, flowIds, flowScope, stopped);
    }
    // The instance's local variables stay where they are, as the history the REST searches read
    // (Camunda's secondary storage keeps them too); they go when the process instance is forgotten.
    this.leave(instance, flowScope);
    this.checkScopeCompletion(flowScope);
  }

  /** Removes an ended element instance from its flow scope's active children. */
  leave(instance: ElementInstanceRecord, flowScope: ElementInstanceRecord): void {
    this.children.get(flowScope.key)?.delete(instance.key);
    flowScope.activeChildren = Math.max(0, flowScope.activeChildren - 1);
    this.save(flowScope);
  }

  /** Output mappings: evaluated in the element's scope, propagated from its flow scope. */
  applyOutputMappings(instance: ElementInstanceRecord, element: ElementModel): void {
    if (element.outputs.length === 0 || instance.flowScopeKey === undefined) return;
    const context = this.variables.visible(instance.key);
    const results: VariablesDoc = {};
    for (const mapping of element.outputs) {
      const value = evaluateValue(mapping.source, context);
      const [name, merged] = assignTarget(mapping.target, value, (n) => results[n] ?? this.variables.visible(instance.flowScopeKey!)[n]);
      results[name] = merged;
    }
    this.variables.propagate(instance.flowScopeKey, results);
  }

  /** Completes a scope when no element instance and no waiting join token is left in it. */
  checkScopeCompletion(scope: ElementInstanceRecord): void {
    if (scope.state !== 'ACTIVATED' || scope.activeChildren > 0) return;
    if (scope.isMultiInstanceBody) return;
    if (scope.joins && Object.keys(scope.joins).length > 0) return;
    const element = this.element(scope);
    if (element.kind !== 'process' && element.kind !== 'subProcess' && element.kind !== 'eventSubProcess') return;
    this.complete(scope);
  }

  /** A process instance completed: notify, and let a calling activity continue. */
  endProcessInstance(instance: ElementInstanceRecord): void {
    closeOwnedEvents(this, instance);
    removeCompensations(this, instance.processInstanceKey);
    this.hooks.processInstanceEnded(instance);
    if (instance.parentElementInstanceKey !== undefined) {
      const caller = this.state.get('elements', instance.parentElementInstanceKey);
      if (this.isActive(caller) && instance.state === 'COMPLETED') {
        const callerElement = this.element(caller);
        if (callerElement.calledElement?.propagateAllChildVariables !== false || callerElement.outputs.length > 0) {
          const childVariables = this.variables.local(instance.key);
          this.applyResultVariables(caller, callerElement, childVariables);
        }
        this.complete(caller);
      }
    }
  }

  // ---------------------------------------------------------------- termination

  /** Terminates an element instance and everything inside it. */
  terminate(instance: ElementInstanceRecord): void {
    if (!this.isActive(instance)) return;
    instance.state = 'TERMINATING';
    this.save(instance);
    this.terminateChildren(instance);
    closeOwnedEvents(this, instance);
    if (instance.jobKey !== undefined) cancelJob(this, instance.jobKey);
    if (instance.userTaskKey !== undefined) {
      const task = this.state.get('userTasks', instance.userTaskKey);
      if (task && task.state === 'CREATED') {
        task.state = 'CANCELED';
        this.state.put('userTasks', task.key, task);
      }
    }
    if (instance.calledInstanceKey !== undefined) {
      const child = this.state.get('elements', instance.calledInstanceKey);
      if (this.isActive(child)) this.terminate(child);
    }
    this.resolveIncidentsOf(instance.key);
    instance.state = 'TERMINATED';
    instance.endDate = this.clock.now();
    delete instance.joins;
    this.save(instance);
    if (instance.flowScopeKey !== undefined) {
      const flowScope = this.state.get('elements', instance.flowScopeKey);
      if (flowScope) this.leave(instance, flowScope);
    } else {
      removeCompensations(this, instance.processInstanceKey);
      this.hooks.processInstanceEnded(instance);
    }
  }

  /** Terminates all active children of a scope (and clears its waiting join tokens). */
  terminateChildren(scope: ElementInstanceRecord): void {
    for (const child of this.activeChildren(scope.key)) this.terminate(child);
    if (scope.joins) {
      delete scope.joins;
      this.save(scope);
    }
  }

  /** Marks the incidents of a terminated element instance resolved. */
  resolveIncidentsOf(elementInstanceKey: number): void {
    for (const incident of [...this.state.values('incidents')]) {
      if (incident.elementInstanceKey === elementInstanceKey && incident.state === 'ACTIVE') {
        incident.state = 'RESOLVED';
        this.state.put('incidents', incident.key, incident);
      }
    }
  }

  // ---------------------------------------------------------------- jobs

  /** Adds a job to the activatable index. */
  indexJob(job: JobRecord): void {
    let set = this.activatable.get(job.type);
    if (!set) {
      set = new Set();
      this.activatable.set(job.type, set);
    }
    set.add(job.key);
  }

  /** Removes a job from the activatable index. */
  unindexJob(job: JobRecord): void {
    this.activatable.get(job.type)?.delete(job.key);
  }

  /** Moves a job to a state, keeping the activatable index in step. */
  setJobState(job: JobRecord, state: JobRecord['state']): void {
    job.state = state;
    if (state === 'ACTIVATABLE') this.indexJob(job);
    else this.unindexJob(job);
    this.state.put('jobs', job.key, job);
    if (state === 'ACTIVATABLE') this.hooks.jobActivatable(job);
  }

  // ---------------------------------------------------------------- incidents

  /** Raises an incident on an element instance; the instance stays where it is until resolved. */
  raiseIncident(
    instance: ElementInstanceRecord,
    errorType: string,
    errorMessage: string,
    retry?: IncidentRecord['retry'],
    extra: Partial<IncidentRecord> = {},
  ): IncidentRecord {
    const incident: IncidentRecord = {
      key: this.state.newKey(),
      errorType,
      errorMessage,
      processInstanceKey: instance.processInstanceKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      elementId: instance.elementId,
      elementInstanceKey: instance.key,
      state: 'ACTIVE',
      created: this.clock.now(),
      tenantId: instance.tenantId,
      ...(retry ? { retry } : {}),
      ...extra,
    };
    this.state.put('incidents', incident.key, incident);
    instance.incident = incident.key;
    this.save(instance);
    return incident;
  }

  /** Retries what failed when a non-job incident is resolved. */
  retryAfterIncident(incident: IncidentRecord): void {
    const instance = this.state.get('elements', incident.elementInstanceKey);
    if (!this.isActive(instance)) return;
    delete instance.incident;
    this.save(instance);
    if (incident.retry === 'activate') this.runActivation(instance);
    else if (incident.retry === 'complete') this.complete(instance);
    else if (incident.retry === 'error' && incident.error) throwError(this, instance, incident.error, undefined);
  }

  // ---------------------------------------------------------------- messages

  /** Notes that a message correlated to a process, so it never correlates to it again. */
  markCorrelated(message: MessageRecord, bpmnProcessId: string): void {
    message.correlatedProcesses.push(bpmnProcessId);
    this.state.put('messages', message.key, message);
  }

  // ---------------------------------------------------------------- entry points of the event modules

  /** A message correlated to a subscription (see events/subscriptions). */
  triggerSubscription(subscription: MessageSubscriptionRecord, variables: VariablesDoc): void {
    triggerSubscription(this, subscription, variables);
  }

  /** A timer start event is due (see events/start-timers). */
  fireStartTimer(timer: StartTimerRecord): void {
    fireStartTimer(this, timer);
  }

  /** A timer is due (see events/timers). */
  fireTimer(timer: TimerRecord): void {
    fireTimer(this, timer);
  }

  /** Throws a BPMN error from an element instance (see events/errors); false when it became an incident. */
  throwError(source: ElementInstanceRecord, error: { code: string; message: string; variables: VariablesDoc }, job: JobRecord | undefined): boolean {
    return throwError(this, source, error, job);
  }
}

