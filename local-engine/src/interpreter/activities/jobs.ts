/**
 * Jobs of job-based activities (service, send, script and business rule tasks, message throw
 * events, job-based user tasks): created on activation with their type, retries and custom
 * headers evaluated in the element's scope; cancelled when the element is terminated.
 */
import { ExpressionError, evaluateString, evaluateValue } from '../../feel/expression';
import type { ElementModel } from '../../model/process-model';
import type { ElementInstanceRecord, JobRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';

/** Creates the job of a job-based element instance and makes it activatable. */
export function createJob(it: Interpreter, instance: ElementInstanceRecord, element: ElementModel): void {
  const context = it.variables.visible(instance.key);
  const definition = element.job!;
  const type = evaluateString(definition.type, context, 'job type');
  const retriesValue = evaluateValue(definition.retries, context);
  const retries = Number(retriesValue);
  if (!Number.isInteger(retries)) throw new ExpressionError(definition.retries, `expected retries '${definition.retries}' to be a number, but it was ${JSON.stringify(retriesValue)}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(definition.headers)) headers[k] = String(evaluateValue(v, context) ?? '');
  const process = it.state.get('processes', instance.processDefinitionKey)!;
  const job: JobRecord = {
    key: it.state.newKey(),
    type,
    processInstanceKey: instance.processInstanceKey,
    processDefinitionKey: instance.processDefinitionKey,
    processDefinitionVersion: process.version,
    bpmnProcessId: instance.bpmnProcessId,
    elementId: instance.elementId,
    elementInstanceKey: instance.key,
    customHeaders: headers,
    retries,
    state: 'ACTIVATABLE',
    worker: '',
    deadline: -1,
    errorMessage: '',
    tenantId: instance.tenantId,
    created: it.clock.now(),
  };
  instance.jobKey = job.key;
  it.save(instance);
  it.setJobState(job, 'ACTIVATABLE');
}

/** Removes the job of a terminated element instance. */
export function cancelJob(it: Interpreter, jobKey: number): void {
  const job = it.state.get('jobs', jobKey);
  if (!job) return;
  it.unindexJob(job);
  it.state.remove('jobs', jobKey);
}
