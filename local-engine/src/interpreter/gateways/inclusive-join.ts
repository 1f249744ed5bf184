/**
 * The converging inclusive gateway, as Zeebe 8.8 joins
 * (docs.camunda.io/docs/components/modeler/bpmn/inclusive-gateways/; the rule below is Zeebe's
 * `ProcessInstanceStateTransitionGuard.canActivateInclusiveGateway` and
 * `BpmnInclusiveGatewayBehavior.hasActivePathToTheGateway`).
 *
 * The rule: a token taken into the join is counted per incoming flow in the flow scope. Each
 * arrival checks the join once: it activates when every incoming flow holds a token, or when
 * some do and no other token of the flow scope can still reach the join without passing one of
 * the incoming flows that already hold a token. Those other tokens are the active element
 * instances of the scope (an embedded subprocess or a call activity stands for everything inside
 * it), the flows taken but not yet followed, and the tokens waiting at other joins; a path runs
 * over outgoing sequence flows and from an activity to its boundary events. An activation
 * consumes one token from every incoming flow that holds one; the rest wait for the next arrival.
 * An arrival that finds no token left (an earlier arrival of the same batch consumed it) does
 * nothing. As in Zeebe 8.8, nothing but an arrival checks the join again, so a join whose other
 * tokens ended elsewhere keeps waiting (camunda/camunda#19460).
 */
import type { ElementModel, ProcessModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';

/** Flows one element completed with, in the order they are followed; `next` is the first not yet followed. */
interface FlowsInTransit {
  scopeKey: number;
  flowIds: string[];
  next: number;
}

/**
 * The flows taken but not yet followed, innermost last: the interpreter follows a flow to its end
 * before the next one, where Zeebe writes every taken flow first and activates the targets after.
 */
const inTransitByInterpreter = new WeakMap<Interpreter, FlowsInTransit[]>();

/** True for an inclusive gateway that joins (more than one incoming flow). */
export function isInclusiveJoin(element: ElementModel): boolean {
  return element.kind === 'inclusiveGateway' && element.incoming.length > 1;
}

/**
 * Takes the outgoing flows of one completed element: counts every token into an inclusive join
 * first, then follows the flows in order, each to its end, until `stopped()` says the flow scope
 * was interrupted. `follow` takes one flow whose target is not an inclusive join.
 */
export function takeFlowsInOrder(
  it: Interpreter,
  flowIds: string[],
  flowScope: ElementInstanceRecord,
  stopped: () => boolean,
  follow: (flowId: string) => void,
): void {
  const model = it.model(flowScope);
  for (const flowId of flowIds) {
    const target = model.elements[model.flows[flowId]!.targetId]!;
    if (isInclusiveJoin(target)) countToken(flowScope, target.id, flowId);
  }
  let stack = inTransitByInterpreter.get(it);
  if (!stack) {
    stack = [];
    inTransitByInterpreter.set(it, stack);
  }
  const transit: FlowsInTransit = { scopeKey: flowScope.key, flowIds, next: 0 };
  stack.push(transit);
  try {
    for (const flowId of flowIds) {
      if (stopped()) break;
      transit.next += 1;
      const targetId = model.flows[flowId]!.targetId;
      if (isInclusiveJoin(model.elements[targetId]!)) arriveAtInclusiveJoin(it, targetId, flowScope);
      else follow(flowId);
    }
  } finally {
    stack.pop();
  }
}

/** Takes one flow into an inclusive join: counts its token, then checks the join. */
export function takeFlowIntoInclusiveJoin(it: Interpreter, flowId: string, gatewayId: string, flowScope: ElementInstanceRecord): void {
  countToken(flowScope, gatewayId, flowId);
  arriveAtInclusiveJoin(it, gatewayId, flowScope);
}

function countToken(flowScope: ElementInstanceRecord, gatewayId: string, flowId: string): void {
  const tokens = ((flowScope.joins ??= {})[gatewayId] ??= {});
  tokens[flowId] = (tokens[flowId] ?? 0) + 1;
}

/** One arrival at an inclusive join whose token is already counted: activates the join if it may. */
function arriveAtInclusiveJoin(it: Interpreter, gatewayId: string, flowScope: ElementInstanceRecord): void {
  const model = it.model(flowScope);
  const gateway = model.elements[gatewayId]!;
  const tokens = flowScope.joins?.[gatewayId];
  const taken = gateway.incoming.filter((f) => (tokens?.[f] ?? 0) > 0);
  if (!tokens || taken.length === 0 || (taken.length < gateway.incoming.length && canStillBeReached(it, model, gateway, flowScope, new Set(taken)))) {
    it.save(flowScope);
    return;
  }
  for (const f of taken) {
    tokens[f] = tokens[f]! - 1;
    if (tokens[f] === 0) delete tokens[f];
  }
  if (Object.keys(tokens).length === 0) delete flowScope.joins![gatewayId];
  if (Object.keys(flowScope.joins!).length === 0) delete flowScope.joins;
  it.save(flowScope);
  it.activate(gatewayId, flowScope);
}

/** Whether another token of the flow scope has a path to the join that avoids its taken flows. */
function canStillBeReached(it: Interpreter, model: ProcessModel, gateway: ElementModel, flowScope: ElementInstanceRecord, taken: Set<string>): boolean {
  const sources: string[] = [];
  for (const key of it.children.get(flowScope.key) ?? []) {
    const child = it.state.get('elements', key);
    // an element that already completed is represented by its flows in transit
    if (it.isActive(child) && child.elementId !== gateway.id) sources.push(child.elementId);
  }
  for (const transit of inTransitByInterpreter.get(it) ?? []) {
    if (transit.scopeKey !== flowScope.key) continue;
    for (let i = transit.next; i < transit.flowIds.length; i++) {
      const targetId = model.flows[transit.flowIds[i]!]!.targetId;
      if (targetId !== gateway.id) sources.push(targetId);
    }
  }
  for (const joinId of Object.keys(flowScope.joins ?? {})) {
    if (joinId !== gateway.id) sources.push(joinId);
  }
  return reaches(model, sources, gateway.id, taken);
}

/** Breadth-first search from all sources at once over sequence flows and boundary events. */
function reaches(model: ProcessModel, sources: string[], targetId: string, blockedFlows: Set<string>): boolean {
  const visited = new Set<string>(sources);
  const queue = [...visited];
  for (let i = 0; i < queue.length; i++) {
    const element = model.elements[queue[i]!]!;
    if (element.id === targetId) return true;
    const next = element.boundaryIds.slice();
    for (const flowId of element.outgoing) {
      if (!blockedFlows.has(flowId)) next.push(model.flows[flowId]!.targetId);
    }
    for (const id of next) {
      if (visited.has(id)) continue;
      visited.add(id);
      queue.push(id);
    }
  }
  return false;
}
