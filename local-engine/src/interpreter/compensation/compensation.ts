/**
 * Compensation: completed activities with a compensation handler are remembered in their scope;
 * a compensation throw event runs the handlers (newest first) and waits for all of them.
 */
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';

/** Remembers a completed activity with a compensation handler in its flow scope. */
export function recordCompensation(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): void {
  const key = it.state.newKey();
  it.state.put('compensations', key, {
    key,
    processInstanceKey: instance.processInstanceKey,
    flowScopeKey: instance.isMultiInstanceBody ? instance.flowScopeKey! : instance.flowScopeKey ?? instance.key,
    elementId: element.id,
    handlerId: element.compensationHandlerId!,
    variables: { ...it.variables.local(instance.key) },
  });
}

/** A completed subprocess hands the compensation of its inner activities to its own scope. */
export function bubbleCompensations(it: Interpreter, subProcess: ElementInstanceRecord): void {
  for (const record of [...it.state.values('compensations')]) {
    if (record.flowScopeKey === subProcess.key) {
      record.flowScopeKey = subProcess.flowScopeKey!;
      it.state.put('compensations', record.key, record);
    }
  }
}

/** Forgets the compensable activities of an ended process instance. */
export function removeCompensations(it: Interpreter, processInstanceKey: number): void {
  for (const record of [...it.state.values('compensations')]) {
    if (record.processInstanceKey === processInstanceKey) it.state.remove('compensations', record.key);
  }
}

/**
 * A compensation throw event: runs the handlers of the completed activities of its scope (or
 * the referenced activity) and waits until all of them completed.
 */
export function triggerCompensation(it: Interpreter, thrower: ElementInstanceRecord, activityRef: string | undefined): void {
  let scopeKey = thrower.flowScopeKey!;
  const throwScope = it.state.get('elements', scopeKey)!;
  // thrown inside an event subprocess, it compensates the activities of the enclosing scope
  if (it.element(throwScope).kind === 'eventSubProcess' && throwScope.flowScopeKey !== undefined) scopeKey = throwScope.flowScopeKey;
  const records = [...it.state.values('compensations')]
    .filter((r) => r.flowScopeKey === scopeKey && (!activityRef || r.elementId === activityRef))
    .reverse();
  if (records.length === 0) {
    it.complete(thrower);
    return;
  }
  thrower.awaitingCompensation = records.length;
  it.save(thrower);
  const scope = it.state.get('elements', scopeKey)!;
  for (const record of records) {
    it.state.remove('compensations', record.key);
    it.activate(record.handlerId, scope, { compensationThrowKey: thrower.key, localVariables: record.variables });
  }
}

/** A compensation handler completed: its throw event completes when it was the last one. */
export function compensationHandlerCompleted(it: Interpreter, throwKey: number): void {
  const thrower = it.state.get('elements', throwKey);
  if (!it.isActive(thrower) || thrower.awaitingCompensation === undefined) return;
  thrower.awaitingCompensation -= 1;
  it.save(thrower);
  if (thrower.awaitingCompensation === 0) {
    delete thrower.awaitingCompensation;
    it.complete(thrower);
  }
}
