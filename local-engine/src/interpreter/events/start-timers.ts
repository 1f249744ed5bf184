/**
 * Timer start events of processes (docs.camunda.io/docs/components/modeler/bpmn/timer-events/#timer-start-events):
 * deploying a new version schedules a timer for each of its timer start events and cancels the
 * scheduled timers of the previous versions of the same process id; a due timer creates an
 * instance that starts at that event, and a cycle schedules its next repetition.
 */
import { evaluateValue } from '../../feel/expression';
import type { ProcessModel } from '../../model/process-model';
import type { ProcessDefinitionRecord, StartTimerRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { dateToMillis, durationToMillis, parseCycle } from '../timer-values';

/**
 * The start timers a newly deployed version schedules, without scheduling them yet (keys are
 * assigned by `replaceStartTimers`).
 * @throws ExpressionError or TimerValueError when a timer's value cannot be evaluated; the
 *   caller rejects the deployment.
 */
export function planStartTimers(it: Interpreter, definition: ProcessDefinitionRecord, model: ProcessModel): StartTimerRecord[] {
  const now = it.clock.now();
  return model.timerStartIds.map((startElementId) => {
    const timer = model.elements[startElementId]!.event!.timer!;
    // no instance exists yet: the expression sees no variables
    const value = String(evaluateValue(timer.value, {}));
    const base = { key: 0, processDefinitionKey: definition.key, bpmnProcessId: definition.bpmnProcessId, startElementId, tenantId: definition.tenantId };
    if (timer.kind === 'date') return { ...base, dueDate: dateToMillis(value), repetitions: 0 };
    const cycle = parseCycle(value, now);
    return { ...base, dueDate: cycle.firstDue, repetitions: cycle.repetitions, interval: cycle.interval };
  });
}

/** Replaces the scheduled start timers of `definition`'s process id (and tenant) with `timers`. */
export function replaceStartTimers(it: Interpreter, definition: ProcessDefinitionRecord, timers: StartTimerRecord[]): void {
  for (const existing of [...it.state.values('startTimers')]) {
    if (existing.bpmnProcessId === definition.bpmnProcessId && existing.tenantId === definition.tenantId) it.state.remove('startTimers', existing.key);
  }
  for (const timer of timers) {
    timer.key = it.state.newKey();
    it.state.put('startTimers', timer.key, timer);
  }
}

/** A start timer is due: creates the instance and schedules the cycle's next repetition, if any. */
export function fireStartTimer(it: Interpreter, timer: StartTimerRecord): void {
  it.state.remove('startTimers', timer.key);
  const definition = it.state.get('processes', timer.processDefinitionKey);
  if (!definition) return;
  if (timer.interval && timer.repetitions !== 1) {
    const next: StartTimerRecord = {
      ...timer,
      key: it.state.newKey(),
      dueDate: timer.dueDate + durationToMillis(timer.interval, timer.dueDate),
      repetitions: timer.repetitions > 0 ? timer.repetitions - 1 : -1,
    };
    it.state.put('startTimers', next.key, next);
  }
  it.createProcessInstance(definition, {}, { eventStart: { elementId: timer.startElementId, variables: {} } });
}
