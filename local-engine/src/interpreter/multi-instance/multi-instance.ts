/**
 * Multi-instance activities: a body instance evaluates the input collection and runs one inner
 * instance per item (all at once, or one after another when sequential), collects the output
 * elements in item order, and completes when all items completed or the completion condition holds.
 */
import { ExpressionError, evaluateCondition, evaluateValue } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { openBoundaryEvents } from '../events/subscriptions';

/** Activates a multi-instance body: evaluates the input collection and starts inner instances. */
export function activateMultiInstanceBody(it: Interpreter, body: ElementInstanceRecord, element: ElementModel): void {
  const mi = element.multiInstance!;
  const collection = evaluateValue(mi.inputCollection, it.variables.visible(body.key));
  if (!Array.isArray(collection)) {
    throw new ExpressionError(mi.inputCollection, `Expected result of the expression '${mi.inputCollection.replace(/^=/, '')}' to be 'ARRAY', but was '${collection === null ? 'NULL' : typeof collection}'`);
  }
  body.multiInstance = { items: collection, next: 0, completed: 0, active: 0 };
  body.state = 'ACTIVATED';
  it.save(body);
  if (mi.outputCollection) it.variables.setOne(body.key, mi.outputCollection, collection.map(() => null));
  if (element.boundaryIds.length > 0) openBoundaryEvents(it, body, element);
  if (collection.length === 0) {
    it.complete(body);
    return;
  }
  const count = mi.sequential ? 1 : collection.length;
  for (let i = 0; i < count && it.isActive(body); i++) spawnInner(it, body);
}

/** Starts the next inner instance of a multi-instance body. */
export function spawnInner(it: Interpreter, body: ElementInstanceRecord): void {
  const loop = body.multiInstance!;
  const index = loop.next;
  loop.next += 1;
  loop.active += 1;
  it.save(body);
  const flowScope = it.state.get('elements', body.flowScopeKey!)!;
  void flowScope;
  it.activate(body.elementId, body, { loop: { counter: index + 1, item: loop.items[index] } });
}

/** An inner instance completed: collect its output element and continue or complete the body. */
export function innerInstanceCompleted(it: Interpreter, body: ElementInstanceRecord, inner: ElementInstanceRecord): void {
  const element = it.element(body);
  const mi = element.multiInstance!;
  const loop = body.multiInstance!;
  loop.completed += 1;
  loop.active -= 1;
  it.save(body);
  if (mi.outputCollection) {
    const context = it.variables.visible(inner.key);
    const value = mi.outputElement ? evaluateValue(mi.outputElement, context) : null;
    const current = (it.variables.local(body.key)[mi.outputCollection] as unknown[] | undefined) ?? [];
    const updated = [...current];
    updated[(inner.loopCounter ?? 1) - 1] = value;
    it.variables.setOne(body.key, mi.outputCollection, updated);
  }
  if (mi.completionCondition && evaluateCondition(mi.completionCondition, it.variables.visible(body.key))) {
    it.terminateChildren(body);
    completeBody(it, body, element);
    return;
  }
  if (loop.completed >= loop.items.length) {
    completeBody(it, body, element);
    return;
  }
  if (mi.sequential && loop.active === 0) spawnInner(it, body);
}

/** Completes a multi-instance body, propagating its output collection. */
export function completeBody(it: Interpreter, body: ElementInstanceRecord, element: ElementModel): void {
  const mi = element.multiInstance!;
  if (mi.outputCollection && body.flowScopeKey !== undefined) {
    // The output collection is local to the body and propagated when the body completes.
    const value = it.variables.local(body.key)[mi.outputCollection];
    it.variables.propagate(body.flowScopeKey, { [mi.outputCollection]: value });
  }
  it.complete(body);
}
