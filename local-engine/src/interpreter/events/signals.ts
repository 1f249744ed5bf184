/**
 * Signal broadcasts (docs.camunda.io/docs/components/concepts/signals/): a broadcast, from the
 * gateway or from a signal throw or end event, triggers every open signal subscription of its
 * name in the tenant and starts one instance of the latest version of each process with a
 * matching signal start event. Signals are not buffered.
 */
import { latestProcessVersions } from '../../model/deploy-resources';
import type { Interpreter, VariablesDoc } from '../interpreter';
import { triggerSubscription } from './subscriptions';

/** A signal to broadcast. */
export interface Signal {
  name: string;
  variables: VariablesDoc;
  tenantId: string;
}

/** Broadcasts a signal to the subscriptions and signal start events of its tenant. */
export function broadcastSignal(it: Interpreter, signal: Signal): void {
  const subscriptions = [...it.state.values('subscriptions')].filter((s) => s.signal && s.messageName === signal.name && s.tenantId === signal.tenantId);
  for (const subscription of subscriptions) {
    // an earlier trigger of this broadcast (an interrupting boundary, say) may have closed it
    if (it.state.get('subscriptions', subscription.key)) triggerSubscription(it, subscription, signal.variables);
  }
  for (const definition of latestProcessVersions(it.state, signal.tenantId)) {
    const model = it.models.get(definition.key)!;
    const startId = model.signalStartIds.find((id) => model.elements[id]!.event?.signalName === signal.name);
    if (startId) it.createProcessInstance(definition, {}, { eventStart: { elementId: startId, variables: signal.variables } });
  }
}
