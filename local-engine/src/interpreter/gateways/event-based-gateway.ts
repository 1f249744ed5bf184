/**
 * The event-based gateway (docs.camunda.io/docs/components/modeler/bpmn/event-based-gateways/):
 * on activation it opens a subscription or arms a timer for the catch event behind each outgoing
 * flow, owned by the gateway itself, and waits. The first event to happen closes all of them,
 * completes the gateway through that event's flow, and the event, already triggered, completes
 * at once with the message's variables.
 */
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import { openMessageSubscription, openSignalSubscription } from '../events/subscriptions';
import { armTimer } from '../events/timers';
import type { Interpreter, VariablesDoc } from '../interpreter';

/** The event that released an event-based gateway: the flow to its catch event and the event's variables. */
export interface CaughtEvent {
  flowId: string;
  variables: VariablesDoc;
}

/** Opens the events of an event-based gateway that was just activated. */
export function openEventBasedGateway(it: Interpreter, gateway: ElementInstanceRecord, element: ElementModel): void {
  const model = it.model(gateway);
  for (const flowId of element.outgoing) {
    // a buffered message may release the gateway while its events are still being opened
    if (!it.isActive(gateway) || gateway.state !== 'ACTIVATED') return;
    const event = model.elements[model.flows[flowId]!.targetId]!;
    if (event.event?.kind === 'message') openMessageSubscription(it, gateway, event, gateway, true);
    else if (event.event?.kind === 'signal') openSignalSubscription(it, gateway, event, gateway, true);
    else armTimer(it, gateway, event, gateway, true);
  }
}

/** The flow of an event-based gateway that leads to `eventId`. */
export function flowTo(it: Interpreter, gateway: ElementInstanceRecord, eventId: string): string {
  const model = it.model(gateway);
  return it.element(gateway).outgoing.find((flowId) => model.flows[flowId]!.targetId === eventId)!;
}
