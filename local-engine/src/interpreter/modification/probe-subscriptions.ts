/**
 * A flow scope the modification creates opens the subscriptions of its boundary events and event
 * subprocesses at once. When one of them cannot be opened (a correlation key, signal name or
 * timer that does not evaluate), Zeebe rejects the whole command with INVALID_ARGUMENT "Expected
 * to subscribe to catch event(s) of '<scope>' but <reason>" (`ElementActivationBehavior`,
 * `EventSubscriptionException`) and rolls it back. The engine cannot roll back, so it evaluates
 * the same expressions, with the variables the scope will see, before anything changes.
 */
import { ExpressionError, evaluateString, evaluateValue } from '../../feel/expression';
import type { ElementModel, ProcessModel } from '../../model/process-model';
import type { Interpreter } from '../interpreter';
import { CommandRejection } from '../rejection';
import { TimerValueError, dateToMillis, durationToMillis, parseCycle } from '../timer-values';
import type { PlannedScope } from './flow-scopes';
import type { ActivateInstruction } from './instructions';

/** Evaluates what opening the catch element's subscription or timer evaluates. */
function probe(catchElement: ElementModel, context: Record<string, unknown>, now: number): void {
  const event = catchElement.event;
  if (event?.kind === 'message') {
    evaluateString(event.messageName!, context, 'message name');
    evaluateString(event.correlationKey!, context, 'correlation key');
  } else if (event?.kind === 'signal') {
    evaluateString(event.signalName!, context, 'signal name');
  } else if (event?.kind === 'timer') {
    const value = String(evaluateValue(event.timer!.value, context));
    if (event.timer!.kind === 'duration') durationToMillis(value, now);
    else if (event.timer!.kind === 'date') dateToMillis(value);
    else parseCycle(value, now);
  }
}

/** The catch elements a scope of this element subscribes to when it is activated. */
function catchElementsOf(model: ProcessModel, element: ElementModel): ElementModel[] {
  const boundaries = element.boundaryIds.map((id) => model.elements[id]!);
  const starts = element.eventSubProcessIds.flatMap((id) => model.elements[id]!.childIds.map((c) => model.elements[c]!).filter((c) => c.kind === 'startEvent'));
  return [...boundaries, ...starts];
}

/**
 * @throws CommandRejection INVALID_ARGUMENT when a flow scope to be created could not open a subscription.
 */
export function probeSubscriptions(it: Interpreter, model: ProcessModel, chains: PlannedScope[][], activations: ActivateInstruction[]): void {
  const probed = new Set<PlannedScope>();
  const now = it.clock.now();
  chains.forEach((chain, index) => {
    const activation = activations[index]!;
    let context: Record<string, unknown> = {};
    chain.forEach((scope, depth) => {
      const own: Record<string, unknown> = {};
      for (const v of activation.variableInstructions) if (v.scopeId === scope.elementId || (v.scopeId === '' && depth === 0)) Object.assign(own, v.variables);
      context = { ...context, ...(scope.instance ? it.variables.local(scope.instance.key) : {}), ...own };
      if (scope.instance || probed.has(scope)) return;
      probed.add(scope);
      for (const catchElement of catchElementsOf(model, model.elements[scope.elementId]!)) {
        try {
          probe(catchElement, context, now);
        } catch (error) {
          if (!(error instanceof ExpressionError || error instanceof TimerValueError)) throw error;
          throw new CommandRejection('INVALID_ARGUMENT', `Expected to subscribe to catch event(s) of '${scope.elementId}' but ${error.message}`);
        }
      }
    });
  });
}
