import { describe, expect, it } from 'vitest';
import { StubBackend } from './stub-backend';

const request = { type: 'work', worker: 'w', timeout: 1000, maxJobs: 10, fetchVariables: [], tenantIds: [] };

describe('StubBackend (benchmark baseline)', () => {
  it('hands out one job after another per instance and ends the instance with its last job', () => {
    const stub = new StubBackend('work', 3);
    let notified = 0;
    stub.onJobActivatable(() => (notified += 1));
    const root = stub.createProcessInstance(stub.findDefinition({ bpmnProcessId: 'p', tenantId: '<default>' }), {});
    const ended: string[] = [];
    stub.onProcessInstanceEnded(root.key, (instance) => ended.push(instance.state));

    const keys: number[] = [];
    for (let i = 0; i < 3; i++) {
      const jobs = stub.activateJobs(request);
      expect(jobs).toHaveLength(1); // the next job exists only once the previous one completed
      expect(ended).toEqual([]);
      keys.push(jobs[0]!.job.key);
      stub.completeJob(jobs[0]!.job.key);
    }

    expect(new Set(keys).size).toBe(3);
    expect(notified).toBe(3);
    expect(ended).toEqual(['COMPLETED']);
    expect(stub.activateJobs(request)).toEqual([]);
  });
});
