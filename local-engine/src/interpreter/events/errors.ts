/**
 * BPMN errors and escalations: the nearest matching catch event (boundary event or event
 * subprocess, exact code before catch-all) handles them. An unhandled error is an incident; an
 * unhandled escalation is not (Zeebe).
 */
import type { ElementInstanceRecord, JobRecord } from '../../state/records';
import type { Interpreter, VariablesDoc } from '../interpreter';
import { triggerCatch } from './subscriptions';

/**
 * Throws a BPMN error from an element instance: the nearest matching error boundary event or
 * error event subprocess catches it (exact code before catch-all); otherwise an incident is
 * raised, as Zeebe does for an unhandled error.
 */
export function throwError(it: Interpreter, source: ElementInstanceRecord, error: { code: string; message: string; variables: VariablesDoc }, job: JobRecord | undefined): boolean {
  let current: ElementInstanceRecord | undefined = source;
  while (current) {
    const element = it.element(current);
    if (current.loopCounter === undefined) {
      const model = it.model(current);
      const boundaries = element.boundaryIds.map((id) => model.elements[id]!).filter((b) => b.event?.kind === 'error');
      const boundary = boundaries.find((b) => b.event?.code === error.code) ?? boundaries.find((b) => !b.event?.code);
      if (boundary) {
        const vars = { ...error.variables };
        triggerCatch(it, current, boundary, vars, true);
        return true;
      }
    }
    if (element.kind === 'process' || element.kind === 'subProcess' || element.kind === 'eventSubProcess') {
      const model = it.model(current);
      const starts = element.eventSubProcessIds
        .map((id) => model.elements[id]!)
        .map((sub) => model.elements[sub.childIds.find((c) => model.elements[c]?.kind === 'startEvent') ?? '']!)
        .filter((s) => s && s.event?.kind === 'error');
      const start = starts.find((s) => s.event?.code === error.code) ?? starts.find((s) => !s.event?.code);
      if (start && current !== source) {
        triggerCatch(it, current, start, { ...error.variables }, true);
        return true;
      }
    }
    if (current.flowScopeKey !== undefined) current = it.state.get('elements', current.flowScopeKey);
    else if (current.parentElementInstanceKey !== undefined) current = it.state.get('elements', current.parentElementInstanceKey);
    else current = undefined;
  }
  const message = `Expected to throw an error event with the code '${error.code}'${error.message ? ` with message '${error.message}'` : ''}, but it was not caught. No error events are available in the scope.`;
  it.raiseIncident(source, 'UNHANDLED_ERROR_EVENT', message, job ? undefined : 'error', {
    ...(job ? { jobKey: job.key } : {}),
    error,
  });
  return false;
}

/**
 * Throws an escalation from inside a scope: the nearest matching escalation boundary event or
 * event subprocess catches it. Uncaught escalations do not raise incidents (Zeebe). Returns
 * true when the thrower was interrupted.
 */
export function throwEscalation(it: Interpreter, source: ElementInstanceRecord, code: string): boolean {
  let current = source.flowScopeKey !== undefined ? it.state.get('elements', source.flowScopeKey) : undefined;
  while (current) {
    const element = it.element(current);
    const model = it.model(current);
    if (element.kind === 'process' || element.kind === 'subProcess' || element.kind === 'eventSubProcess') {
      const starts = element.eventSubProcessIds
        .map((id) => model.elements[id]!)
        .map((sub) => model.elements[sub.childIds.find((c) => model.elements[c]?.kind === 'startEvent') ?? '']!)
        .filter((s) => s && s.event?.kind === 'escalation');
      const start = starts.find((s) => s.event?.code === code) ?? starts.find((s) => !s.event?.code);
      if (start) {
        triggerCatch(it, current, start, {}, start.interrupting !== false);
        return start.interrupting !== false;
      }
    }
    if (current.loopCounter === undefined && current.flowScopeKey !== undefined) {
      const boundaries = element.boundaryIds.map((id) => model.elements[id]!).filter((b) => b.event?.kind === 'escalation');
      const boundary = boundaries.find((b) => b.event?.code === code) ?? boundaries.find((b) => !b.event?.code);
      if (boundary) {
        triggerCatch(it, current, boundary, {}, boundary.interrupting !== false);
        return boundary.interrupting !== false;
      }
    }
    if (current.flowScopeKey !== undefined) current = it.state.get('elements', current.flowScopeKey);
    else if (current.parentElementInstanceKey !== undefined) current = it.state.get('elements', current.parentElementInstanceKey);
    else current = undefined;
  }
  return false;
}
