/**
 * The terminate instructions, as Zeebe 8.8 applies them (`ProcessInstanceModificationModifyProcessor`
 * terminateElement / terminateFlowScopes): the element instance ends with everything inside it;
 * then its flow scope ends too when nothing is left in it (no active child, no token waiting at a
 * join) and no activation of the same command needs it, and so on upwards, up to the process
 * instance, which is then terminated (not completed; docs/8.8 components/concepts/
 * process-instance-modification, "Terminate an element instance"). A process instance started by
 * a call activity may not end this way: the command is rejected, so that the caller is modified instead.
 */
import type { ProcessModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { CommandRejection } from '../rejection';
import type { TerminateInstruction } from './instructions';

/** True when a scope would have nothing left once the instances in `gone` ended. */
function isEmptied(it: Interpreter, scope: ElementInstanceRecord, gone: ReadonlySet<number>, required: ReadonlySet<number>): boolean {
  if (!it.isActive(scope) || gone.has(scope.key) || required.has(scope.key)) return false;
  if (scope.joins && Object.keys(scope.joins).length > 0) return false;
  return it.activeChildren(scope.key).every((child) => gone.has(child.key));
}

/**
 * Rejects the command before anything changes when its terminations would end a process
 * instance that a call activity started (Zeebe finds this out while it applies the command and
 * then rolls it back; the outcome is the same).
 */
export function checkCalledInstanceSurvives(it: Interpreter, model: ProcessModel, terminations: TerminateInstruction[], required: ReadonlySet<number>): void {
  const gone = new Set<number>();
  const end = (instance: ElementInstanceRecord): void => {
    gone.add(instance.key);
    for (const child of it.activeChildren(instance.key)) end(child);
  };
  for (const { elementInstanceKey } of terminations) {
    if (gone.has(elementInstanceKey)) continue;
    const instance = it.state.get('elements', elementInstanceKey)!;
    end(instance);
    let scope = instance.flowScopeKey === undefined ? undefined : it.state.get('elements', instance.flowScopeKey);
    while (scope && isEmptied(it, scope, gone, required)) {
      if (scope.flowScopeKey === undefined && scope.parentProcessInstanceKey !== undefined) {
        throw new CommandRejection(
          'INVALID_ARGUMENT',
          `Expected to modify instance of process '${model.bpmnProcessId}' but the given instructions would terminate the instance. The instance was created by a call activity in the parent process. To terminate this instance please modify the parent process instead.`,
        );
      }
      end(scope);
      scope = scope.flowScopeKey === undefined ? undefined : it.state.get('elements', scope.flowScopeKey);
    }
  }
}

/**
 * Zeebe completes a parallel multi-instance body when its last inner instance completes, whatever
 * the others did; the interpreter counts completed inner instances instead, so an inner instance
 * terminated here counts as one that is done.
 */
function releaseLoopSlot(it: Interpreter, instance: ElementInstanceRecord, scope: ElementInstanceRecord | undefined): void {
  if (!scope?.isMultiInstanceBody || !scope.multiInstance || instance.loopCounter === undefined || !it.isActive(scope)) return;
  scope.multiInstance.active -= 1;
  scope.multiInstance.completed += 1;
  it.save(scope);
}

/** Applies the terminate instructions; `required` are the flow scope instances the activations run in. */
export function terminateInstances(it: Interpreter, terminations: TerminateInstruction[], required: ReadonlySet<number>): void {
  const none = new Set<number>();
  for (const { elementInstanceKey } of terminations) {
    const instance = it.state.get('elements', elementInstanceKey);
    // already ended with an instance an earlier instruction terminated
    if (!it.isActive(instance)) continue;
    let scope = instance.flowScopeKey === undefined ? undefined : it.state.get('elements', instance.flowScopeKey);
    it.terminate(instance);
    releaseLoopSlot(it, instance, scope);
    while (scope && isEmptied(it, scope, none, required)) {
      const next = scope.flowScopeKey === undefined ? undefined : it.state.get('elements', scope.flowScopeKey);
      it.terminate(scope);
      scope = next;
    }
  }
}
