/**
 * Gateways and sequence flows: the exclusive gateway's flow selection (first true condition,
 * else the default flow, else an incident), the diverging inclusive gateway's (every true
 * condition, else the default flow, else an incident), the parallel join's token counting and
 * the taking of sequence flows (inclusive joins: inclusive-join.ts).
 */
import { evaluateCondition } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { isInclusiveJoin, takeFlowIntoInclusiveJoin, takeFlowsInOrder } from './inclusive-join';

/** Chooses the outgoing flow of an exclusive gateway. */
export function chooseExclusiveFlow(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): string[] {
  const model = it.model(instance);
  if (element.outgoing.length <= 1) return element.outgoing;
  const context = it.variables.visible(instance.key);
  for (const flowId of element.outgoing) {
    const flow = model.flows[flowId]!;
    if (flowId === element.defaultFlowId || !flow.condition) continue;
    if (evaluateCondition(flow.condition, context)) return [flowId];
  }
  if (element.defaultFlowId) return [element.defaultFlowId];
  throw new NoFlowError(
    `Expected at least one condition to evaluate to true, or to have a default flow, but no condition of the gateway '${element.id}' evaluated to true`,
  );
}

/**
 * Chooses the outgoing flows of a diverging inclusive gateway
 * (docs.camunda.io/docs/components/modeler/bpmn/inclusive-gateways/): every flow whose condition
 * holds, else the default flow, else an incident.
 */
export function chooseInclusiveFlows(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): string[] {
  const model = it.model(instance);
  if (element.outgoing.length <= 1 && !element.defaultFlowId && !model.flows[element.outgoing[0] ?? '']?.condition) return element.outgoing;
  const context = it.variables.visible(instance.key);
  const taken = element.outgoing.filter((flowId) => {
    const flow = model.flows[flowId]!;
    return flowId !== element.defaultFlowId && flow.condition !== undefined && evaluateCondition(flow.condition, context);
  });
  if (taken.length > 0) return taken;
  if (element.defaultFlowId) return [element.defaultFlowId];
  throw new NoFlowError(
    `Expected at least one condition to evaluate to true, or to have a default flow, but no condition of the gateway '${element.id}' evaluated to true`,
  );
}

/**
 * Takes the outgoing flows of a completed element in order, until `stopped()` says the flow scope
 * was interrupted by an earlier one.
 */
export function takeFlows(it: Interpreter, flowIds: string[], flowScope: ElementInstanceRecord, stopped: () => boolean): void {
  if (flowIds.length > 1) {
    takeFlowsInOrder(it, flowIds, flowScope, stopped, (flowId) => takeFlow(it, flowId, flowScope));
  } else if (flowIds.length === 1 && !stopped()) {
    // one flow: no other token of this element is in transit while it is followed
    takeFlow(it, flowIds[0]!, flowScope);
  }
}

/** Takes a sequence flow: activates its target, or counts a token at a parallel or inclusive join. */
export function takeFlow(it: Interpreter, flowId: string, flowScope: ElementInstanceRecord): void {
  const model = it.model(flowScope);
  const flow = model.flows[flowId]!;
  const target = model.elements[flow.targetId]!;
  if (isInclusiveJoin(target)) {
    takeFlowIntoInclusiveJoin(it, flowId, target.id, flowScope);
    return;
  }
  if (target.kind === 'parallelGateway' && target.incoming.length > 1) {
    const joins = (flowScope.joins ??= {});
    const tokens = (joins[target.id] ??= {});
    tokens[flowId] = (tokens[flowId] ?? 0) + 1;
    if (target.incoming.every((f) => (tokens[f] ?? 0) > 0)) {
      for (const f of target.incoming) {
        tokens[f] = (tokens[f] ?? 0) - 1;
        if (tokens[f] === 0) delete tokens[f];
      }
      if (Object.keys(tokens).length === 0) delete joins[target.id];
      it.save(flowScope);
      it.activate(target.id, flowScope);
    } else {
      it.save(flowScope);
    }
    return;
  }
  it.activate(target.id, flowScope);
}

/** No outgoing flow of an exclusive gateway could be taken. */
export class NoFlowError extends Error {}
