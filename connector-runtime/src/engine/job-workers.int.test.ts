/**
 * Job workers through the unmodified SDK on the local engine: the adapter's answers become what
 * Zeebe does with them (completion and output, retries then incident, fallout completion, a BPMN
 * error caught by its boundary).
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from '../../../local-engine/test/fixtures';
import { deploy, now, startHarness, type Harness } from '../../../local-engine/test/harness';
import { BpmnError, FalloutError, TransientError } from '../errors';
import { executeFulfillmentTaskContract } from '../jobs/execute-fulfillment-task/schema';
import { sampleExecuteOutput, sampleTaskIds } from '../jobs/fixtures/sample-job-variables';
import type { JobHandler } from './job-adapter';
import { startJobWorker } from './job-workers';

const silent = pino({ level: 'silent' });
const registry = new Registry();
let h: Harness;
let handler: JobHandler<typeof executeFulfillmentTaskContract> = async () => Promise.reject(new Error('no handler set'));
const calls: number[] = [];
let worker: { close(): void };

const ids = sampleTaskIds;

const done = sampleExecuteOutput;

beforeAll(async () => {
  h = await startHarness('job_workers');
  // A task with an error boundary, so a BPMN error has somewhere to go.
  await deploy(
    h,
    'adapter',
    definitions(
      'adapter',
      `<bpmn:startEvent id="start"/>
       ${serviceTask('execute', 'execute-fulfillment-task', { retries: 3, headers: { phase: 'RESERVATION' } })}
       <bpmn:boundaryEvent id="rejected" attachedToRef="execute"><bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent>
       <bpmn:endEvent id="done"/>
       <bpmn:endEvent id="rejectedEnd"/>
       ${flow('f1', 'start', 'execute')}
       ${flow('f2', 'execute', 'done')}
       ${flow('f3', 'rejected', 'rejectedEnd')}`,
      '<bpmn:error id="err" errorCode="TASK_REJECTED"/>',
    ),
  );
  worker = await startJobWorker(
    h.zeebe,
    executeFulfillmentTaskContract,
    async (input, context) => {
      calls.push(context.retries);
      return handler(input, context);
    },
    { log: silent, pollIntervalMs: 100, registry },
  );
});

afterAll(async () => {
  worker?.close();
  await h?.close();
});

async function runInstance(variables: Record<string, string>) {
  calls.length = 0;
  return h.zeebe.createProcessInstanceWithResult({ bpmnProcessId: 'adapter', variables, requestTimeout: 10_000 });
}

async function waitForIncident(processInstanceKey: string) {
  for (let tries = 0; tries < 200; tries += 1) {
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey } }, now);
    if (incidents.items.length > 0) return incidents.items;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no incident');
}

describe('job workers on the local engine', () => {
  it('given a handler that succeeds, then the instance completes with its output variables', async () => {
    handler = async () => done;
    const result = await runInstance(ids);
    expect(result.variables).toMatchObject({ ...ids, currentTaskResult: 'COMPLETED', allRequiredTasksDone: true });
  });

  it('given a handler that fails transiently twice, then Zeebe retries the job and it completes on the third attempt', async () => {
    let attempts = 0;
    handler = async () => {
      attempts += 1;
      if (attempts < 3) throw new TransientError('ADAPTER.TIMEOUT', 'inventory timed out', { retryBackoffMs: 0 });
      return done;
    };
    const result = await runInstance(ids);
    expect(result.variables).toMatchObject({ currentTaskResult: 'COMPLETED' });
    expect(calls).toEqual([3, 2, 1]);
  });

  it('given a fallout, then the job completes with FALLOUT and its reason', async () => {
    handler = async () => Promise.reject(new FalloutError('RESOURCE_CONFLICT', 'port already assigned'));
    const result = await runInstance(ids);
    expect(result.variables).toMatchObject({ currentTaskResult: 'FALLOUT', falloutReason: 'port already assigned', moreReadyTasks: null });
  });

  it('given a BPMN error, then the boundary catches it', async () => {
    handler = async () => Promise.reject(new BpmnError('TASK_REJECTED', 'partner refused'));
    const result = await runInstance(ids);
    const ended = await h.api.searchElementInstances({ filter: { processInstanceKey: result.processInstanceKey } }, now);
    expect(ended.items.map((item) => item.elementId)).toContain('rejectedEnd');
  });

  it('given invalid input variables, then an incident names the field and the handler never runs', async () => {
    handler = async () => done;
    calls.length = 0;
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'adapter', variables: { ...ids, currentTaskId: 'ft-1001' } });
    const incidents = await waitForIncident(created.processInstanceKey);
    expect(incidents[0]!.errorMessage).toContain('Invalid input variables of execute-fulfillment-task: currentTaskId:');
    expect(calls).toEqual([]);
    // The worker counts after the engine accepted the failure, so the count may trail the incident by a moment.
    let counted = '';
    for (let tries = 0; tries < 50 && !counted.includes('job_type="execute-fulfillment-task"'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      counted = await registry.getSingleMetricAsString('worker_incident_total').catch(() => '');
    }
    expect(counted).toContain('worker_incident_total{job_type="execute-fulfillment-task"}');
    await h.zeebe.cancelProcessInstance(created.processInstanceKey);
  });
});
