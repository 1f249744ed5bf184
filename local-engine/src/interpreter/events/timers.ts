/**
 * Timers of catch events, boundary events and event subprocesses: armed with a due date from a
 * duration, date or cycle; a non-interrupting cycle re-arms until its repetitions are used up.
 */
import { evaluateValue } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord, TimerRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { dateToMillis, durationToMillis, parseCycle } from '../timer-values';
import { triggerCatch } from './subscriptions';

/** Arms a timer for a catch element owned by an element instance. */
export function armTimer(it: Interpreter, owner: ElementInstanceRecord, catchElement: ElementModel, contextInstance: ElementInstanceRecord, interrupting: boolean): void {
  const definition = catchElement.event!.timer!;
  const now = it.clock.now();
  const raw = evaluateValue(definition.value, it.variables.visible(contextInstance.key));
  const value = String(raw);
  let dueDate: number;
  let repetitions = 0;
  let interval: string | undefined;
  if (definition.kind === 'duration') dueDate = now + durationToMillis(value, now);
  else if (definition.kind === 'date') dueDate = dateToMillis(value);
  else {
    const cycle = parseCycle(value, now);
    dueDate = cycle.firstDue;
    repetitions = cycle.repetitions;
    interval = cycle.interval;
  }
  const timer: TimerRecord = {
    key: it.state.newKey(),
    processInstanceKey: owner.processInstanceKey,
    elementInstanceKey: owner.key,
    catchElementId: catchElement.id,
    dueDate,
    repetitions,
    ...(interval ? { interval } : {}),
    interrupting,
    tenantId: owner.tenantId,
  };
  it.state.put('timers', timer.key, timer);
  owner.timerKeys = [...(owner.timerKeys ?? []), timer.key];
  it.save(owner);
}

/** A timer is due: trigger its event; a cycle re-arms when repetitions remain. */
export function fireTimer(it: Interpreter, timer: TimerRecord): void {
  const owner = it.state.get('elements', timer.elementInstanceKey);
  it.state.remove('timers', timer.key);
  if (!it.isActive(owner)) return;
  owner.timerKeys = (owner.timerKeys ?? []).filter((k) => k !== timer.key);
  it.save(owner);
  const model = it.model(owner);
  const catchElement = model.elements[timer.catchElementId]!;
  const nonInterruptingCycle = !timer.interrupting && timer.interval && timer.repetitions !== 1;
  if (nonInterruptingCycle) {
    const next: TimerRecord = {
      ...timer,
      key: it.state.newKey(),
      dueDate: timer.dueDate + durationToMillis(timer.interval!, timer.dueDate),
      repetitions: timer.repetitions > 0 ? timer.repetitions - 1 : -1,
    };
    it.state.put('timers', next.key, next);
    owner.timerKeys = [...(owner.timerKeys ?? []), next.key];
    it.save(owner);
  }
  triggerCatch(it, owner, catchElement, {}, timer.interrupting);
}
