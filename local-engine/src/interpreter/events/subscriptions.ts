/**
 * Message subscriptions of catch events, receive tasks, boundary events and event subprocesses,
 * and what happens when an event triggers: a catch event completes, a boundary event activates
 * (terminating its host when interrupting), an event subprocess starts (terminating its siblings
 * when interrupting).
 */
import { evaluateString } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord, MessageSubscriptionRecord } from '../../state/records';
import type { Interpreter, VariablesDoc } from '../interpreter';
import { flowTo } from '../gateways/event-based-gateway';
import { armTimer } from './timers';

/** Opens the message subscriptions and timers of an activity's boundary events. */
export function openBoundaryEvents(it: Interpreter, host: ElementInstanceRecord, element: ElementModel): void {
  const model = it.model(host);
  for (const boundaryId of element.boundaryIds) {
    const boundary = model.elements[boundaryId]!;
    if (boundary.event?.kind === 'message') openMessageSubscription(it, host, boundary, host, boundary.interrupting !== false);
    else if (boundary.event?.kind === 'signal') openSignalSubscription(it, host, boundary, host, boundary.interrupting !== false);
    else if (boundary.event?.kind === 'timer') armTimer(it, host, boundary, host, boundary.interrupting !== false);
  }
}

/** Opens the message subscriptions and timers of the event subprocesses of a scope. */
export function openEventSubProcessSubscriptions(it: Interpreter, scope: ElementInstanceRecord, element: ElementModel): void {
  const model = it.model(scope);
  for (const eventSubId of element.eventSubProcessIds) {
    const sub = model.elements[eventSubId]!;
    const startId = sub.childIds.find((c) => model.elements[c]?.kind === 'startEvent');
    const start = startId ? model.elements[startId] : undefined;
    if (!start) continue;
    if (start.event?.kind === 'message') openMessageSubscription(it, scope, start, scope, start.interrupting !== false);
    else if (start.event?.kind === 'signal') openSignalSubscription(it, scope, start, scope, start.interrupting !== false);
    else if (start.event?.kind === 'timer') armTimer(it, scope, start, scope, start.interrupting !== false);
  }
}

/** Opens a message subscription; the correlation key is evaluated now, in the owner's scope. */
export function openMessageSubscription(it: Interpreter, owner: ElementInstanceRecord, catchElement: ElementModel, contextInstance: ElementInstanceRecord, interrupting: boolean): void {
  const context = it.variables.visible(contextInstance.key);
  const subscription = addSubscription(it, owner, catchElement, interrupting, {
    messageName: evaluateString(catchElement.event!.messageName!, context, 'message name'),
    correlationKey: evaluateString(catchElement.event!.correlationKey!, context, 'correlation key'),
  });
  correlateBufferedMessage(it, subscription);
}

/**
 * Opens a signal subscription; the signal name is evaluated now, in the owner's scope. Signals
 * are not buffered (docs.camunda.io/docs/components/concepts/signals/): only a broadcast after
 * this moment triggers it.
 */
export function openSignalSubscription(it: Interpreter, owner: ElementInstanceRecord, catchElement: ElementModel, contextInstance: ElementInstanceRecord, interrupting: boolean): void {
  addSubscription(it, owner, catchElement, interrupting, {
    signal: true,
    messageName: evaluateString(catchElement.event!.signalName!, it.variables.visible(contextInstance.key), 'signal name'),
    correlationKey: '',
  });
}

/** Stores a subscription for a catch element and registers it with its owner, which closes it. */
function addSubscription(
  it: Interpreter,
  owner: ElementInstanceRecord,
  catchElement: ElementModel,
  interrupting: boolean,
  match: Pick<MessageSubscriptionRecord, 'signal' | 'messageName' | 'correlationKey'>,
): MessageSubscriptionRecord {
  const subscription: MessageSubscriptionRecord = {
    key: it.state.newKey(),
    ...match,
    processInstanceKey: owner.processInstanceKey,
    bpmnProcessId: owner.bpmnProcessId,
    elementInstanceKey: owner.key,
    catchElementId: catchElement.id,
    interrupting,
    tenantId: owner.tenantId,
  };
  it.state.put('subscriptions', subscription.key, subscription);
  owner.subscriptionKeys = [...(owner.subscriptionKeys ?? []), subscription.key];
  it.save(owner);
  return subscription;
}

/** Correlates a buffered, unexpired message to a subscription that just opened. */
export function correlateBufferedMessage(it: Interpreter, subscription: MessageSubscriptionRecord): void {
  const now = it.clock.now();
  for (const message of it.state.values('messages')) {
    if (
      message.name === subscription.messageName &&
      message.correlationKey === subscription.correlationKey &&
      message.tenantId === subscription.tenantId &&
      message.deadline > now &&
      !message.correlatedProcesses.includes(subscription.bpmnProcessId)
    ) {
      it.markCorrelated(message, subscription.bpmnProcessId);
      triggerSubscription(it, subscription, message.variables);
      return;
    }
  }
}

/** Closes the subscriptions and timers an element instance owns. */
export function closeOwnedEvents(it: Interpreter, instance: ElementInstanceRecord): void {
  if (!instance.subscriptionKeys?.length && !instance.timerKeys?.length) return;
  for (const key of instance.subscriptionKeys ?? []) it.state.remove('subscriptions', key);
  for (const key of instance.timerKeys ?? []) it.state.remove('timers', key);
  delete instance.subscriptionKeys;
  delete instance.timerKeys;
  it.save(instance);
}

/** A message correlated to a subscription, or a signal broadcast to one. */
export function triggerSubscription(it: Interpreter, subscription: MessageSubscriptionRecord, variables: VariablesDoc): void {
  const owner = it.state.get('elements', subscription.elementInstanceKey);
  if (!it.isActive(owner)) return;
  const catchElement = it.model(owner).elements[subscription.catchElementId]!;
  if (subscription.interrupting || owner.elementId === subscription.catchElementId) {
    it.state.remove('subscriptions', subscription.key);
    owner.subscriptionKeys = (owner.subscriptionKeys ?? []).filter((k) => k !== subscription.key);
    it.save(owner);
  }
  triggerCatch(it, owner, catchElement, variables, subscription.interrupting);
}

/**
 * An event happened for a catch element owned by `owner`: releases the event-based gateway
 * waiting for it, or completes a catch event / receive task, or activates a boundary event
 * (terminating its host when interrupting), or starts an event subprocess (terminating its
 * siblings when interrupting).
 */
export function triggerCatch(it: Interpreter, owner: ElementInstanceRecord, catchElement: ElementModel, variables: VariablesDoc, interrupting: boolean): void {
  if (owner.bpmnElementType === 'EVENT_BASED_GATEWAY') {
    // completing the gateway closes the subscriptions and timers of its other events
    it.complete(owner, { caught: { flowId: flowTo(it, owner, catchElement.id), variables } });
    return;
  }
  if (owner.elementId === catchElement.id && (catchElement.kind === 'intermediateCatchEvent' || catchElement.kind === 'receiveTask')) {
    closeOwnedEvents(it, owner);
    it.applyResultVariables(owner, catchElement, variables);
    it.complete(owner);
    return;
  }
  if (catchElement.kind === 'boundaryEvent') {
    const flowScope = it.state.get('elements', owner.flowScopeKey!)!;
    if (interrupting) {
      closeOwnedEvents(it, owner);
      it.terminate(owner);
    }
    it.activate(catchElement.id, flowScope, { eventVariables: variables });
    it.checkScopeCompletion(flowScope);
    return;
  }
  // the start event of an event subprocess; the owner is the scope that contains it
  const eventSub = it.model(owner).elements[catchElement.parentId!]!;
  if (interrupting) {
    closeOwnedEvents(it, owner);
    owner.interruptions = (owner.interruptions ?? 0) + 1;
    it.terminateChildren(owner);
  }
  const subInstance = it.activate(eventSub.id, owner);
  if (it.isActive(subInstance)) it.activate(catchElement.id, subInstance, { eventVariables: variables });
  it.checkScopeCompletion(owner);
}
