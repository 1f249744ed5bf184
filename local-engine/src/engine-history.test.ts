import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { oneTask } from '../test/fixtures';
import { Engine } from './engine';

const xml = oneTask('p', 'w');

const request = { type: 'w', worker: 'x', timeout: 60_000, maxJobs: 1, fetchVariables: [], tenantIds: [] };

async function engineWith(historyLimit: number) {
  const engine = new Engine(new ManualClock(0), undefined, historyLimit);
  await engine.start();
  await engine.deploy([{ name: 'p.bpmn', content: Buffer.from(xml) }], '<default>');
  const definition = engine.findDefinition({ bpmnProcessId: 'p', tenantId: '<default>' });
  return {
    engine,
    /** Runs one instance to its end and returns its key. */
    runOne(n: number): number {
      const root = engine.createProcessInstance(definition, { n });
      const [job] = engine.activateJobs(request);
      engine.completeJob(job!.job.key, { done: n });
      return root.key;
    },
  };
}

function recordsOf(engine: Engine, processInstanceKey: number): number {
  return [...engine.state.values('elements')].filter((e) => e.processInstanceKey === processInstanceKey).length;
}

describe('history of ended process instances', () => {
  it('given more ended instances than the limit (plus a tenth), forgets the oldest, records and variables alike', async () => {
    const { engine, runOne } = await engineWith(10);
    const keys = Array.from({ length: 12 }, (_, n) => runOne(n));
    // the limit plus a slack of a tenth (1) is 11; the 12th ended instance crosses it and the
    // two oldest go
    expect(recordsOf(engine, keys[0]!)).toBe(0);
    expect(recordsOf(engine, keys[1]!)).toBe(0);
    expect(engine.state.get('variables', keys[0]!)).toBeUndefined();
    for (const key of keys.slice(2)) {
      expect(recordsOf(engine, key)).toBe(4); // process, start, task, end
      expect(engine.rootVariables(key)).toMatchObject({ done: expect.any(Number) });
    }
  });

  it("keeps an ended scope's local variables as history, and forgets them with their instance", async () => {
    const engine = new Engine(new ManualClock(0), undefined, 2);
    await engine.start();
    await engine.deploy([{ name: 'q.bpmn', content: Buffer.from(oneTask('q', 'w', { outputs: [['=n', 'n']] })) }], '<default>');
    const definition = engine.findDefinition({ bpmnProcessId: 'q', tenantId: '<default>' });
    const scopes: number[] = [];
    for (let n = 0; n < 4; n++) {
      engine.createProcessInstance(definition, {});
      const [job] = engine.activateJobs(request);
      engine.completeJob(job!.job.key, { n, note: `task ${n}` });
      scopes.push(job!.job.elementInstanceKey);
    }
    // a limit of 2 plus a slack of 1: the fourth ended instance crosses it and the two oldest go
    expect(engine.state.get('variables', scopes[0]!)).toBeUndefined();
    expect(engine.state.get('variables', scopes[1]!)).toBeUndefined();
    expect(engine.state.get('variables', scopes[2]!)).toEqual({ n: 2, note: 'task 2' });
    expect(engine.state.get('variables', scopes[3]!)).toEqual({ n: 3, note: 'task 3' });
  });

  it('never forgets a running instance, however many ended after it', async () => {
    const { engine } = await engineWith(1);
    const definition = engine.findDefinition({ bpmnProcessId: 'p', tenantId: '<default>' });
    const running = engine.createProcessInstance(definition, { running: true });
    const [job] = engine.activateJobs(request);
    for (let n = 0; n < 5; n++) {
      // the running instance's job stays activated; others are created and run to the end
      const created = engine.createProcessInstance(definition, { n });
      const [other] = engine.activateJobs(request);
      engine.completeJob(other!.job.key, {});
      expect(other!.job.processInstanceKey).toBe(created.key);
    }
    expect(recordsOf(engine, running.key)).toBe(3); // process, start, task
    engine.completeJob(job!.job.key, {});
    expect(engine.state.get('elements', running.key)!.state).toBe('COMPLETED');
  });
});
