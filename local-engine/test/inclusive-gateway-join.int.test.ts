/**
 * Conformance: the converging (joining) inclusive gateway, driven only through the @camunda8/sdk
 * clients with the engine's manual clock. The docs page
 * (docs.camunda.io/docs/components/modeler/bpmn/inclusive-gateways/) states the rule: the join
 * completes once every incoming flow was taken, or once no path leads from an active flow node
 * to it other than over the incoming flows already taken. Where a case shows more than the page
 * describes, it cites the Zeebe 8.8 engine source that decides it (camunda/camunda,
 * zeebe/engine/src/main/java/io/camunda/zeebe/engine/...).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_inclusive_join');
});
afterAll(async () => {
  await h.close();
});

async function state(key: string) {
  return (await h.api.getProcessInstance({ processInstanceKey: key }, now)).state;
}

/** Activates the jobs of a type that belong to one process instance; `waitMs` long-polls for the first. */
async function jobs(type: string, processInstanceKey: string, waitMs = -1) {
  const activated = await h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: waitMs });
  return activated.filter((job) => job.processInstanceKey === processInstanceKey);
}

/** Completes the one job of a type in a process instance. */
async function complete(type: string, processInstanceKey: string, variables: Record<string, string | boolean> = {}) {
  const [job] = await jobs(type, processInstanceKey, 5000);
  expect(job, `a job of type ${type}`).toBeDefined();
  await h.zeebe.completeJob({ jobKey: job!.key, variables });
}

/** How often each element completed in a process instance. */
async function completions(processInstanceKey: string, elementId: string) {
  const result = await h.api.searchElementInstances({ filter: { processInstanceKey, elementId } }, now);
  return result.items.filter((e) => e.state === 'COMPLETED').length;
}

describe('inclusive gateway (converging)', () => {
  // an inclusive split with a condition per branch, each branch a job, joined before `after`
  const lunch = definitions(
    'ij-lunch',
    `<bpmn:startEvent id="start"/><bpmn:inclusiveGateway id="split"/><bpmn:inclusiveGateway id="join"/>
     ${serviceTask('pasta', 'ij-lunch-pasta')}${serviceTask('salad', 'ij-lunch-salad')}${serviceTask('after', 'ij-lunch-after')}
     <bpmn:endEvent id="end"/>
     ${flow('f0', 'start', 'split')}
     ${flow('toPasta', 'split', 'pasta', '=list contains(courses, "pasta")')}${flow('toSalad', 'split', 'salad', '=list contains(courses, "salad")')}
     ${flow('pastaDone', 'pasta', 'join')}${flow('saladDone', 'salad', 'join')}${flow('f5', 'join', 'after')}${flow('f6', 'after', 'end')}`,
  );

  // docs (inclusive-gateways): "All incoming sequence flows have been taken at least once"
  it('joins once, after both taken branches arrived', async () => {
    await deploy(h, 'ij-lunch', lunch);
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-lunch', variables: { courses: ['pasta', 'salad'] } });
    await complete('ij-lunch-pasta', pi, { pasta: 'done' });
    expect(await jobs('ij-lunch-after', pi)).toHaveLength(0);
    expect(await completions(pi, 'join')).toBe(0);
    await complete('ij-lunch-salad', pi, { salad: 'done' });
    const after = await jobs('ij-lunch-after', pi, 5000);
    expect(after).toHaveLength(1);
    expect(after[0]!.variables).toMatchObject({ pasta: 'done', salad: 'done' });
    await h.zeebe.completeJob({ jobKey: after[0]!.key, variables: {} });
    expect(await state(pi)).toBe('COMPLETED');
    expect(await completions(pi, 'join')).toBe(1);
  });

  // docs (inclusive-gateways): "No path exists from any active flow node to the inclusive
  // gateway": the branch not taken holds no token, so the join does not wait for it
  it('joins right after the only taken branch arrives', async () => {
    await deploy(h, 'ij-lunch', lunch);
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-lunch', variables: { courses: ['salad'] } });
    await complete('ij-lunch-salad', pi);
    expect(await jobs('ij-lunch-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
  });

  // Zeebe source, state/appliers/ProcessInstanceSequenceFlowTakenApplier.java (every flow an
  // element takes is counted before any target is activated) and
  // processing/bpmn/ProcessInstanceStateTransitionGuard.java (an arrival that finds the tokens
  // already consumed does not activate the join again): a parallel split whose two flows both
  // lead straight into the join activates it once
  it('joins the two flows of a parallel split once', async () => {
    await deploy(
      h,
      'ij-and-direct',
      definitions(
        'ij-and-direct',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
         ${serviceTask('after', 'ij-and-direct-after')}<bpmn:endEvent id="end"/>
         ${flow('f0', 'start', 'fork')}${flow('first', 'fork', 'join')}${flow('second', 'fork', 'join')}${flow('f3', 'join', 'after')}${flow('f4', 'after', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-and-direct', variables: {} });
    expect(await jobs('ij-and-direct-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
  });

  // docs (inclusive-gateways): a parallel split always takes both branches, so the token that
  // arrives first waits for the one still at the task
  it('waits at a join fed by a parallel split until the branch with a task arrives', async () => {
    await deploy(
      h,
      'ij-and-task',
      definitions(
        'ij-and-task',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
         ${serviceTask('work', 'ij-and-task-work')}${serviceTask('after', 'ij-and-task-after')}<bpmn:endEvent id="end"/>
         ${flow('f0', 'start', 'fork')}${flow('direct', 'fork', 'join')}${flow('toWork', 'fork', 'work')}${flow('workDone', 'work', 'join')}
         ${flow('f4', 'join', 'after')}${flow('f5', 'after', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-and-task', variables: {} });
    expect(await jobs('ij-and-task-after', pi)).toHaveLength(0);
    await complete('ij-and-task-work', pi);
    expect(await jobs('ij-and-task-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
  });

  // docs (inclusive-gateways): a token in a loop that can still lead to the join is on a path
  // from an active flow node, so the join waits for it however often it loops
  it('waits for a token in a loop upstream that can still reach the join', async () => {
    await deploy(
      h,
      'ij-loop',
      definitions(
        'ij-loop',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
         ${serviceTask('first', 'ij-loop-first')}${serviceTask('retry', 'ij-loop-retry')}<bpmn:exclusiveGateway id="done" default="again"/>
         ${serviceTask('after', 'ij-loop-after')}<bpmn:endEvent id="end"/>
         ${flow('f0', 'start', 'fork')}${flow('toFirst', 'fork', 'first')}${flow('firstDone', 'first', 'join')}
         ${flow('toRetry', 'fork', 'retry')}${flow('f4', 'retry', 'done')}${flow('succeeded', 'done', 'join', '=succeeded')}${flow('again', 'done', 'retry')}
         ${flow('f7', 'join', 'after')}${flow('f8', 'after', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-loop', variables: { succeeded: false } });
    await complete('ij-loop-first', pi);
    expect(await jobs('ij-loop-after', pi)).toHaveLength(0);
    await complete('ij-loop-retry', pi, { succeeded: false });
    expect(await jobs('ij-loop-after', pi)).toHaveLength(0);
    await complete('ij-loop-retry', pi, { succeeded: true });
    expect(await jobs('ij-loop-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
  });

  // docs (inclusive-gateways): a token looping on a path that never leads to the join does not
  // hold it up
  it('does not wait for a token in a loop that cannot reach the join', async () => {
    await deploy(
      h,
      'ij-loop-away',
      definitions(
        'ij-loop-away',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
         <bpmn:task id="one"/><bpmn:task id="two"/>${serviceTask('poll', 'ij-loop-away-poll')}<bpmn:exclusiveGateway id="done" default="again"/>
         ${serviceTask('after', 'ij-loop-away-after')}<bpmn:endEvent id="end"/><bpmn:endEvent id="polled"/>
         ${flow('f0', 'start', 'fork')}${flow('toOne', 'fork', 'one')}${flow('toTwo', 'fork', 'two')}${flow('oneDone', 'one', 'join')}${flow('twoDone', 'two', 'join')}
         ${flow('toPoll', 'fork', 'poll')}${flow('f6', 'poll', 'done')}${flow('finished', 'done', 'polled', '=finished')}${flow('again', 'done', 'poll')}
         ${flow('f9', 'join', 'after')}${flow('f10', 'after', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-loop-away', variables: { finished: false } });
    expect(await jobs('ij-loop-away-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
    await complete('ij-loop-away-poll', pi, { finished: true });
  });

  // docs (inclusive-gateways): an embedded subprocess upstream is an active flow node while a
  // token is inside it, and its outgoing flow leads to the join
  it('waits while a token is inside an embedded subprocess upstream, and joins when it leaves', async () => {
    await deploy(
      h,
      'ij-sub',
      definitions(
        'ij-sub',
        `<bpmn:startEvent id="start"/><bpmn:inclusiveGateway id="split"/><bpmn:inclusiveGateway id="join"/>
         ${serviceTask('ship', 'ij-sub-ship')}
         <bpmn:subProcess id="invoice"><bpmn:startEvent id="subStart"/>${serviceTask('bill', 'ij-sub-bill')}<bpmn:endEvent id="subEnd"/>
           ${flow('s1', 'subStart', 'bill')}${flow('s2', 'bill', 'subEnd')}</bpmn:subProcess>
         ${serviceTask('after', 'ij-sub-after')}<bpmn:endEvent id="end"/>
         ${flow('f0', 'start', 'split')}${flow('toShip', 'split', 'ship', '=true')}${flow('toInvoice', 'split', 'invoice', '=true')}
         ${flow('shipped', 'ship', 'join')}${flow('invoiced', 'invoice', 'join')}${flow('f5', 'join', 'after')}${flow('f6', 'after', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-sub', variables: {} });
    await complete('ij-sub-ship', pi);
    expect(await jobs('ij-sub-after', pi)).toHaveLength(0);
    await complete('ij-sub-bill', pi);
    expect(await jobs('ij-sub-after', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'join')).toBe(1);
  });

  describe('with a timer boundary event upstream whose path leads to the join', () => {
    // three branches: `pack` and `label` lead to the join; `carrier` ends on its own, but its
    // timer boundary event leads to the join too
    const xml = definitions(
      'ij-boundary',
      `<bpmn:startEvent id="start"/><bpmn:inclusiveGateway id="split"/><bpmn:inclusiveGateway id="join"/>
       ${serviceTask('pack', 'ij-boundary-pack')}${serviceTask('label', 'ij-boundary-label')}${serviceTask('carrier', 'ij-boundary-carrier')}
       <bpmn:boundaryEvent id="noCarrier" attachedToRef="carrier" cancelActivity="true"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
       ${serviceTask('after', 'ij-boundary-after')}<bpmn:endEvent id="end"/><bpmn:endEvent id="carrierBooked"/>
       ${flow('f0', 'start', 'split')}${flow('toPack', 'split', 'pack', '=true')}${flow('toLabel', 'split', 'label', '=true')}${flow('toCarrier', 'split', 'carrier', '=true')}
       ${flow('packed', 'pack', 'join')}${flow('labelled', 'label', 'join')}${flow('booked', 'carrier', 'carrierBooked')}${flow('timedOut', 'noCarrier', 'join')}
       ${flow('f8', 'join', 'after')}${flow('f9', 'after', 'end')}`,
    );

    beforeAll(async () => {
      await deploy(h, 'ij-boundary', xml);
    });

    // Zeebe source, processing/bpmn/behavior/BpmnInclusiveGatewayBehavior.java: a path from an
    // active activity includes its boundary events, so the join waits while the timer can fire
    it('waits while the boundary event can still fire, and joins when its path arrives', async () => {
      const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-boundary', variables: {} });
      await complete('ij-boundary-pack', pi);
      await complete('ij-boundary-label', pi);
      expect(await jobs('ij-boundary-after', pi)).toHaveLength(0);
      h.clock.advance(3600_000);
      expect(await jobs('ij-boundary-after', pi, 5000)).toHaveLength(1);
      expect(await completions(pi, 'join')).toBe(1);
    });

    // docs (inclusive-gateways): once the task completed, no active flow node has a path to the
    // join, so the last branch to arrive activates it at once
    it('joins at once when the task completed before the last branch arrived', async () => {
      const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-boundary', variables: {} });
      await complete('ij-boundary-pack', pi);
      await complete('ij-boundary-carrier', pi);
      expect(await jobs('ij-boundary-after', pi)).toHaveLength(0);
      await complete('ij-boundary-label', pi);
      expect(await jobs('ij-boundary-after', pi, 5000)).toHaveLength(1);
    });

    // Zeebe source, processing/bpmn/ProcessInstanceStateTransitionGuard.java: the join is
    // checked only when a token arrives at it (its ACTIVATE_ELEMENT command), so when the task
    // completes after the last branch arrived, nothing checks the join again and it keeps
    // waiting (an open Zeebe 8.8 bug, camunda/camunda#19460; the local engine matches Zeebe)
    it('keeps waiting when the task completes after the last branch arrived, as Zeebe 8.8 does', async () => {
      const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-boundary', variables: {} });
      await complete('ij-boundary-pack', pi);
      await complete('ij-boundary-label', pi);
      await complete('ij-boundary-carrier', pi);
      expect(await jobs('ij-boundary-after', pi)).toHaveLength(0);
      expect(await completions(pi, 'join')).toBe(0);
      expect(await state(pi)).toBe('ACTIVE');
      await h.zeebe.cancelProcessInstance(pi);
    });
  });

  // Zeebe source, state/appliers/ProcessInstanceElementActivatingApplier.java: an activation
  // consumes one token per incoming flow and leaves the rest for the next arrival, so two
  // tokens on one incoming flow activate the join twice
  it('activates the join again for a second token on the same incoming flow', async () => {
    await deploy(
      h,
      'ij-two-tokens',
      definitions(
        'ij-two-tokens',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="fork2"/><bpmn:inclusiveGateway id="join"/>
         <bpmn:task id="one"/><bpmn:task id="two"/><bpmn:exclusiveGateway id="merge"/><bpmn:endEvent id="end"/>
         ${flow('f0', 'start', 'fork')}${flow('direct', 'fork', 'join')}${flow('toFork2', 'fork', 'fork2')}
         ${flow('toOne', 'fork2', 'one')}${flow('toTwo', 'fork2', 'two')}${flow('oneDone', 'one', 'merge')}${flow('twoDone', 'two', 'merge')}
         ${flow('merged', 'merge', 'join')}${flow('f8', 'join', 'end')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-two-tokens', variables: {} });
    expect(await state(pi)).toBe('COMPLETED');
    expect(await completions(pi, 'join')).toBe(2);
  });

  // docs (inclusive-gateways): a gateway that both converges and diverges first joins, then
  // takes every outgoing flow whose condition holds
  it('joins and then splits at one gateway', async () => {
    await deploy(
      h,
      'ij-join-split',
      definitions(
        'ij-join-split',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/><bpmn:inclusiveGateway id="joinSplit"/>
         ${serviceTask('small', 'ij-join-split-small')}${serviceTask('large', 'ij-join-split-large')}<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
         ${flow('f0', 'start', 'fork')}${flow('a', 'fork', 'joinSplit')}${flow('b', 'fork', 'joinSplit')}
         ${flow('toSmall', 'joinSplit', 'small', '=amount &gt; 0')}${flow('toLarge', 'joinSplit', 'large', '=amount &gt; 5')}
         ${flow('f5', 'small', 'e1')}${flow('f6', 'large', 'e2')}`,
      ),
    );
    const { processInstanceKey: pi } = await h.zeebe.createProcessInstance({ bpmnProcessId: 'ij-join-split', variables: { amount: 10 } });
    expect(await jobs('ij-join-split-small', pi, 5000)).toHaveLength(1);
    expect(await jobs('ij-join-split-large', pi, 5000)).toHaveLength(1);
    expect(await completions(pi, 'joinSplit')).toBe(1);
  });
});
