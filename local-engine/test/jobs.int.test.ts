/**
 * Conformance: jobs (activation, timeout, completion, failure, retries, incidents), driven only
 * through the @camunda8/sdk gRPC client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, now, startHarness, type Harness } from './harness';
import { oneTask } from './fixtures';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_jobs');
});
afterAll(async () => {
  await h.close();
});

async function activateOne(type: string, timeout = 60_000) {
  const jobs = await h.zeebe.activateJobs({ type, worker: 'w1', maxJobsToActivate: 1, timeout, requestTimeout: -1 });
  return jobs[0];
}

async function processInstance(key: string) {
  return h.api.getProcessInstance({ processInstanceKey: key }, now);
}

describe('jobs', () => {
  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/ (Topology): one broker, one partition
  it('answers Topology like a one-broker cluster', async () => {
    const topology = await h.zeebe.topology();
    expect(topology.brokers).toHaveLength(1);
    expect(topology.partitionsCount).toBe(1);
    expect(topology.brokers[0]!.partitions[0]!.role).toBe('LEADER');
  });

  // docs.camunda.io/docs/components/concepts/job-workers/ (job activation and completion;
  // custom headers and variables as JSON)
  it('activates a job with headers and variables and completes the instance', async () => {
    await deploy(h, 'jobs-basic', oneTask('jobs-basic', 'basic-work', { headers: { mode: 'sync' } }));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-basic', variables: { orderId: 'o-1' } });
    const job = await activateOne('basic-work');
    expect(job).toBeDefined();
    expect(job!.processInstanceKey).toBe(created.processInstanceKey);
    expect(job!.variables).toEqual({ orderId: 'o-1' });
    expect(job!.customHeaders).toEqual({ mode: 'sync' });
    expect(job!.elementId).toBe('task');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: { done: true } });
    const instance = await processInstance(created.processInstanceKey);
    expect(instance.state).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/components/concepts/job-workers/#timeouts: a job whose activation timed
  // out can be activated again (same key); a late completion is still accepted while the job is
  // activatable or activated
  it('re-activates a timed-out job under the same key and accepts a late completion', async () => {
    await deploy(h, 'jobs-timeout', oneTask('jobs-timeout', 'timeout-work'));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-timeout', variables: {} });
    const first = await activateOne('timeout-work', 1000);
    expect(await activateOne('timeout-work')).toBeUndefined();
    h.clock.advance(1001);
    const second = await activateOne('timeout-work', 1000);
    expect(second!.key).toBe(first!.key);
    h.clock.advance(1001);
    // activatable again (timed out twice): the first worker's late completion still succeeds
    await h.zeebe.completeJob({ jobKey: first!.key, variables: {} });
    expect((await processInstance(created.processInstanceKey)).state).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/components/concepts/job-workers/#completing-or-failing-jobs: a job that
  // another worker already completed no longer exists -> NOT_FOUND
  it('rejects completing a job that another worker completed with NOT_FOUND', async () => {
    await deploy(h, 'jobs-twice', oneTask('jobs-twice', 'twice-work'));
    await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-twice', variables: {} });
    const job = await activateOne('twice-work', 1000);
    h.clock.advance(1001);
    const again = await activateOne('twice-work');
    await h.zeebe.completeJob({ jobKey: again!.key, variables: {} });
    await expect(h.zeebe.completeJob({ jobKey: job!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
  });

  // docs.camunda.io/docs/components/concepts/incidents/: retries exhausted -> incident; update
  // retries + resolve -> the job is activatable again and the instance continues
  it('raises an incident at zero retries and continues after UpdateJobRetries + ResolveIncident', async () => {
    await deploy(h, 'jobs-incident', oneTask('jobs-incident', 'incident-work', { retries: 2 }));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-incident', variables: {} });
    const job = await activateOne('incident-work');
    expect(job!.retries).toBe(2);
    await h.zeebe.failJob({ jobKey: job!.key, retries: 1, errorMessage: 'flaky', retryBackOff: 5000 });
    expect(await activateOne('incident-work')).toBeUndefined(); // back-off not over
    h.clock.advance(5000);
    const retried = await activateOne('incident-work');
    expect(retried!.key).toBe(job!.key);
    expect(retried!.retries).toBe(1);
    await h.zeebe.failJob({ jobKey: job!.key, retries: 0, errorMessage: 'broken for good', retryBackOff: 0 });
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey: created.processInstanceKey } }, now);
    expect(incidents.items).toHaveLength(1);
    const incident = incidents.items[0]!;
    expect(incident.errorType).toBe('JOB_NO_RETRIES');
    expect(incident.errorMessage).toBe('broken for good');
    // a failed job cannot be completed (Zeebe: FAILED_PRECONDITION)
    await expect(h.zeebe.completeJob({ jobKey: job!.key, variables: {} })).rejects.toMatchObject({ code: 9 });
    // resolving without retries is rejected
    await expect(h.zeebe.resolveIncident({ incidentKey: incident.incidentKey })).rejects.toMatchObject({ code: 9 });
    await h.zeebe.updateJobRetries({ jobKey: job!.key, retries: 1 });
    await h.zeebe.resolveIncident({ incidentKey: incident.incidentKey });
    const again = await activateOne('incident-work');
    expect(again!.key).toBe(job!.key);
    await h.zeebe.completeJob({ jobKey: again!.key, variables: {} });
    expect((await processInstance(created.processInstanceKey)).state).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/#activatejobs-rpc: long polling
  // answers as soon as a job arrives, within requestTimeout
  it('answers a parked long poll when a job is created', async () => {
    await deploy(h, 'jobs-longpoll', oneTask('jobs-longpoll', 'longpoll-work'));
    const poll = h.zeebe.activateJobs({ type: 'longpoll-work', worker: 'w', maxJobsToActivate: 5, timeout: 10_000, requestTimeout: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-longpoll', variables: {} });
    const jobs = await poll;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.processInstanceKey).toBe(created.processInstanceKey);
    const started = Date.now();
    const none = await h.zeebe.activateJobs({ type: 'longpoll-work', worker: 'w', maxJobsToActivate: 5, timeout: 10_000, requestTimeout: 200 });
    expect(none).toHaveLength(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/: methods outside the local
  // engine's subset answer UNIMPLEMENTED rather than pretending
  it('answers UNIMPLEMENTED for gateway methods it does not support', async () => {
    await expect(h.zeebe.evaluateDecision({ decisionId: 'never-deployed', variables: {} })).rejects.toMatchObject({ code: 12 });
  });

  // docs.camunda.io/docs/apis-tools/zeebe-api/gateway-service/#updatejobtimeout-rpc
  it('extends an activated job with UpdateJobTimeout', async () => {
    await deploy(h, 'jobs-extend', oneTask('jobs-extend', 'extend-work'));
    await h.zeebe.createProcessInstance({ bpmnProcessId: 'jobs-extend', variables: {} });
    const job = await activateOne('extend-work', 1000);
    await h.zeebe.updateJobTimeout({ jobKey: job!.key, timeout: 10_000 });
    h.clock.advance(5000);
    expect(await activateOne('extend-work')).toBeUndefined();
    h.clock.advance(5001);
    expect((await activateOne('extend-work'))!.key).toBe(job!.key);
  });
});
