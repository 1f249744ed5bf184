/**
 * Conformance: timers (duration, date, cycle), boundary events (timer, message, error,
 * escalation; interrupting and not), error end events and event subprocesses, driven only
 * through the @camunda8/sdk clients with the engine's manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_events');
});
afterAll(async () => {
  await h.close();
});

async function state(key: string) {
  return (await h.api.getProcessInstance({ processInstanceKey: key }, now)).state;
}

async function activate(type: string) {
  return h.zeebe.activateJobs({ type, worker: 'w', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: -1 });
}

async function elements(processInstanceKey: string) {
  const result = await h.api.searchElementInstances({ filter: { processInstanceKey } }, now);
  return result.items.map((e) => `${e.elementId}:${e.state}`).sort();
}

function timerBoundary(id: string, attachedTo: string, duration: string, cancelActivity: boolean) {
  return `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}" cancelActivity="${cancelActivity}"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`;
}

describe('timers', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/timer-events/#intermediate-timer-catch-event
  it('waits on an intermediate timer (duration expression) until the clock passes it', async () => {
    await deploy(
      h,
      'timer-catch',
      definitions(
        'timer-catch',
        `<bpmn:startEvent id="start"/>
         <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>=delay</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
         <bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'timer-catch', variables: { delay: 'PT10M' } });
    h.clock.advance(9 * 60_000);
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    h.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/timer-events/#timer-boundary-event: an
  // interrupting timer cancels the task (its job is gone) and continues on the boundary path
  it('interrupting timer boundary terminates the task and takes the timeout path', async () => {
    await deploy(
      h,
      'timer-interrupting',
      definitions(
        'timer-interrupting',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('work', 'ti-work')}
         ${timerBoundary('timeout', 'work', 'PT1H', true)}
         ${serviceTask('escalate', 'ti-escalate')}
         <bpmn:endEvent id="end"/><bpmn:endEvent id="endTimeout"/>
         ${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}${flow('f3', 'timeout', 'escalate')}${flow('f4', 'escalate', 'endTimeout')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'timer-interrupting', variables: {} });
    const [job] = await h.zeebe.activateJobs({ type: 'ti-work', worker: 'w', maxJobsToActivate: 1, timeout: 10 * 3600_000, requestTimeout: -1 });
    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 20));
    await expect(h.zeebe.completeJob({ jobKey: job!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
    const [escalate] = await activate('ti-escalate');
    expect(escalate).toBeDefined();
    await h.zeebe.completeJob({ jobKey: escalate!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await elements(created.processInstanceKey)).toContain('work:TERMINATED');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/timer-events/#timer-boundary-event: a
  // non-interrupting cycle timer fires repeatedly while the task keeps running
  it('non-interrupting cycle timer boundary fires each cycle while the task stays active', async () => {
    await deploy(
      h,
      'timer-non-interrupting',
      definitions(
        'timer-non-interrupting',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('work', 'tn-work')}
         <bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT10M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
         ${serviceTask('reminder', 'tn-reminder')}
         <bpmn:endEvent id="end"/><bpmn:endEvent id="endReminder"/>
         ${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}${flow('f3', 'remind', 'reminder')}${flow('f4', 'reminder', 'endReminder')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'timer-non-interrupting', variables: {} });
    const [job] = await h.zeebe.activateJobs({ type: 'tn-work', worker: 'w', maxJobsToActivate: 1, timeout: 10 * 3600_000, requestTimeout: -1 });
    h.clock.advance(10 * 60_000);
    h.clock.advance(10 * 60_000);
    h.clock.advance(10 * 60_000); // only two repetitions
    await new Promise((r) => setTimeout(r, 20));
    const reminders = await activate('tn-reminder');
    expect(reminders).toHaveLength(2);
    for (const r of reminders) await h.zeebe.completeJob({ jobKey: r.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    await h.zeebe.completeJob({ jobKey: job!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('timer event subprocess', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/event-subprocesses/ and .../timer-events/: an
  // interrupting timer event subprocess ends the main flow when its timer fires
  it('an interrupting timer event subprocess takes over when the timer fires', async () => {
    await deploy(
      h,
      'eventsub-timer',
      definitions(
        'eventsub-timer',
        `<bpmn:startEvent id="start"/>${serviceTask('main', 'est-main')}<bpmn:endEvent id="end"/>
         <bpmn:subProcess id="onTimeout" triggeredByEvent="true">
           <bpmn:startEvent id="expired"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
           <bpmn:endEvent id="timedOut"/>${flow('t1', 'expired', 'timedOut')}
         </bpmn:subProcess>
         ${flow('f1', 'start', 'main')}${flow('f2', 'main', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'eventsub-timer', variables: {} });
    const [main] = await activate('est-main');
    h.clock.advance(24 * 3600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await elements(created.processInstanceKey)).toEqual(expect.arrayContaining(['main:TERMINATED', 'timedOut:COMPLETED']));
    await expect(h.zeebe.completeJob({ jobKey: main!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
  });
});

describe('message boundary events', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/message-events/#message-boundary-events
  it('an interrupting message boundary cancels the task; a non-interrupting one runs alongside', async () => {
    await deploy(
      h,
      'msg-boundary',
      definitions(
        'msg-boundary',
        `<bpmn:startEvent id="start"/>
         ${serviceTask('work', 'mb-work')}
         <bpmn:boundaryEvent id="note" attachedToRef="work" cancelActivity="false"><bpmn:messageEventDefinition messageRef="mNote"/></bpmn:boundaryEvent>
         <bpmn:boundaryEvent id="cancel" attachedToRef="work"><bpmn:messageEventDefinition messageRef="mCancel"/></bpmn:boundaryEvent>
         <bpmn:endEvent id="end"/><bpmn:endEvent id="endNote"/><bpmn:endEvent id="endCancel"/>
         ${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}${flow('f3', 'note', 'endNote')}${flow('f4', 'cancel', 'endCancel')}`,
        message('mNote', 'order-note', '=orderId') + message('mCancel', 'order-cancel-requested', '=orderId'),
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'msg-boundary', variables: { orderId: 'mb-1' } });
    await h.zeebe.publishMessage({ name: 'order-note', correlationKey: 'mb-1', variables: {}, timeToLive: 0 });
    await h.zeebe.publishMessage({ name: 'order-note', correlationKey: 'mb-1', variables: {}, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    await h.zeebe.publishMessage({ name: 'order-cancel-requested', correlationKey: 'mb-1', variables: { reason: 'customer' }, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    const list = await elements(created.processInstanceKey);
    expect(list.filter((e) => e === 'endNote:COMPLETED')).toHaveLength(2);
    expect(list).toContain('work:TERMINATED');
    expect(list).toContain('endCancel:COMPLETED');
    expect(await activate('mb-work')).toHaveLength(0);
  });
});

describe('errors and escalations', () => {
  const errorProcess = definitions(
    'error-boundary',
    `<bpmn:startEvent id="start"/>
     ${serviceTask('pay', 'eb-pay')}
     <bpmn:boundaryEvent id="declined" attachedToRef="pay"><bpmn:errorEventDefinition errorRef="errDeclined"/></bpmn:boundaryEvent>
     <bpmn:endEvent id="end"/><bpmn:endEvent id="endDeclined"/>
     ${flow('f1', 'start', 'pay')}${flow('f2', 'pay', 'end')}${flow('f3', 'declined', 'endDeclined')}`,
    '<bpmn:error id="errDeclined" name="Declined" errorCode="PAYMENT_DECLINED"/>',
  );

  // docs.camunda.io/docs/components/modeler/bpmn/error-events/#catching-the-error: ThrowError
  // with a matching code is caught by the error boundary event; its variables are merged
  it('an error thrown by a job is caught by the boundary event with that code', async () => {
    await deploy(h, 'error-boundary', errorProcess);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'error-boundary', variables: {} });
    const [job] = await activate('eb-pay');
    await h.zeebe.throwError({ jobKey: job!.key, errorCode: 'PAYMENT_DECLINED', errorMessage: 'card expired', variables: { declineReason: 'expired' } });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await elements(created.processInstanceKey)).toContain('endDeclined:COMPLETED');
    const vars = await h.api.searchVariables({ filter: { processInstanceKey: created.processInstanceKey, name: 'declineReason' } }, now);
    expect(vars.items.map((v) => JSON.parse(v.value))).toEqual(['expired']);
  });

  // docs.camunda.io/docs/components/modeler/bpmn/error-events/#unhandled-errors: an error no
  // catch event matches raises an incident instead of ending silently
  it('an uncaught error code raises an incident', async () => {
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'error-boundary', variables: {} });
    const [job] = await activate('eb-pay');
    await h.zeebe.throwError({ jobKey: job!.key, errorCode: 'SOMETHING_ELSE', errorMessage: 'boom' });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    const incidents = await h.api.searchIncidents({ filter: { processInstanceKey: created.processInstanceKey } }, now);
    expect(incidents.items.map((i) => i.errorType)).toEqual(['UNHANDLED_ERROR_EVENT']);
    expect(incidents.items[0]!.errorMessage).toContain('SOMETHING_ELSE');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/error-events/#throwing-the-error and
  // .../event-subprocesses/: an error end event inside a subprocess is caught by an error event
  // subprocess of the process, which interrupts the rest
  it('an error end event is caught by an error event subprocess', async () => {
    await deploy(
      h,
      'error-eventsub',
      definitions(
        'error-eventsub',
        `<bpmn:startEvent id="start"/>
         <bpmn:parallelGateway id="fork"/>
         ${serviceTask('other', 'ee-other')}
         <bpmn:subProcess id="sub">
           <bpmn:startEvent id="subStart"/>
           <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="errX"/></bpmn:endEvent>
           ${flow('s1', 'subStart', 'fail')}
         </bpmn:subProcess>
         <bpmn:subProcess id="handler" triggeredByEvent="true">
           <bpmn:startEvent id="caught"><bpmn:errorEventDefinition errorRef="errX"/></bpmn:startEvent>
           ${serviceTask('repair', 'ee-repair')}
           <bpmn:endEvent id="handled"/>
           ${flow('h1', 'caught', 'repair')}${flow('h2', 'repair', 'handled')}
         </bpmn:subProcess>
         <bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'fork')}${flow('f2', 'fork', 'sub')}${flow('f3', 'fork', 'other')}${flow('f4', 'sub', 'end')}${flow('f5', 'other', 'end')}`,
        '<bpmn:error id="errX" name="X" errorCode="X_FAILED"/>',
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'error-eventsub', variables: {} });
    expect(await activate('ee-other')).toHaveLength(0); // interrupted before anyone took it
    const [repair] = await activate('ee-repair');
    await h.zeebe.completeJob({ jobKey: repair!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    const list = await elements(created.processInstanceKey);
    expect(list).toEqual(expect.arrayContaining(['sub:TERMINATED', 'handled:COMPLETED']));
    expect(list).not.toContain('other:COMPLETED');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/escalation-events/: a non-interrupting
  // escalation boundary catches the escalation thrown inside the subprocess, which continues
  it('a non-interrupting escalation boundary catches an escalation from inside a subprocess', async () => {
    await deploy(
      h,
      'escalation',
      definitions(
        'escalation',
        `<bpmn:startEvent id="start"/>
         <bpmn:subProcess id="sub">
           <bpmn:startEvent id="subStart"/>
           <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:intermediateThrowEvent>
           ${serviceTask('work', 'es-work')}
           <bpmn:endEvent id="subEnd"/>
           ${flow('s1', 'subStart', 'raise')}${flow('s2', 'raise', 'work')}${flow('s3', 'work', 'subEnd')}
         </bpmn:subProcess>
         <bpmn:boundaryEvent id="caught" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:boundaryEvent>
         ${serviceTask('notify', 'es-notify')}
         <bpmn:endEvent id="end"/><bpmn:endEvent id="endNotify"/>
         ${flow('f1', 'start', 'sub')}${flow('f2', 'sub', 'end')}${flow('f3', 'caught', 'notify')}${flow('f4', 'notify', 'endNotify')}`,
        '<bpmn:escalation id="esc" name="Late" escalationCode="LATE"/>',
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'escalation', variables: {} });
    const [notify] = await activate('es-notify');
    const [work] = await activate('es-work');
    expect(notify).toBeDefined();
    expect(work).toBeDefined();
    await h.zeebe.completeJob({ jobKey: notify!.key, variables: {} });
    await h.zeebe.completeJob({ jobKey: work!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('start, end and event subprocess variants', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/terminate-events/: a terminate end event ends
  // its scope at once, terminating the other active branches; the instance completes
  it('a terminate end event completes the instance and terminates other branches', async () => {
    await deploy(
      h,
      'terminate',
      definitions(
        'terminate',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>
         ${serviceTask('slow', 'term-slow')}
         <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent><bpmn:endEvent id="end"/>
         ${flow('f1', 'start', 'fork')}${flow('f2', 'fork', 'slow')}${flow('f3', 'fork', 'stop')}${flow('f4', 'slow', 'end')}`,
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'terminate', variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await elements(created.processInstanceKey)).toContain('slow:TERMINATED');
    expect(await activate('term-slow')).toHaveLength(0);
  });

  // docs.camunda.io/docs/components/modeler/bpmn/message-events/#message-start-events: a
  // published message starts an instance of the process with its variables
  it('a message start event starts an instance when the message is published', async () => {
    await deploy(
      h,
      'msg-start',
      definitions(
        'msg-start',
        `<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="ms"/></bpmn:startEvent>${serviceTask('work', 'ms-work')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}`,
        '<bpmn:message id="ms" name="order-received"/>',
      ),
    );
    await h.zeebe.publishMessage({ name: 'order-received', correlationKey: 'o-1', variables: { orderId: 'o-1' }, timeToLive: 0 });
    const [job] = await activate('ms-work');
    expect(job!.variables).toEqual({ orderId: 'o-1' });
    expect(job!.bpmnProcessId).toBe('msg-start');
  });

  // docs.camunda.io/docs/components/modeler/bpmn/event-subprocesses/: a non-interrupting
  // message event subprocess runs alongside the main flow, once per message
  it('a non-interrupting message event subprocess runs alongside the main flow', async () => {
    await deploy(
      h,
      'eventsub-msg',
      definitions(
        'eventsub-msg',
        `<bpmn:startEvent id="start"/>${serviceTask('main', 'esm-main')}<bpmn:endEvent id="end"/>
         <bpmn:subProcess id="onUpdate" triggeredByEvent="true">
           <bpmn:startEvent id="updated" isInterrupting="false"><bpmn:messageEventDefinition messageRef="mu"/></bpmn:startEvent>
           ${serviceTask('apply', 'esm-apply')}<bpmn:endEvent id="applied"/>
           ${flow('u1', 'updated', 'apply')}${flow('u2', 'apply', 'applied')}
         </bpmn:subProcess>
         ${flow('f1', 'start', 'main')}${flow('f2', 'main', 'end')}`,
        message('mu', 'order-updated', '=orderId'),
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'eventsub-msg', variables: { orderId: 'esm-1' } });
    await h.zeebe.publishMessage({ name: 'order-updated', correlationKey: 'esm-1', variables: { change: 1 }, timeToLive: 0 });
    await h.zeebe.publishMessage({ name: 'order-updated', correlationKey: 'esm-1', variables: { change: 2 }, timeToLive: 0 });
    const applies = await activate('esm-apply');
    expect(applies).toHaveLength(2);
    for (const job of applies) await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    const [main] = await activate('esm-main');
    await h.zeebe.completeJob({ jobKey: main!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});

describe('event-based gateway', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/event-based-gateways/: the instance waits at
  // the gateway; the first event to happen takes its flow, and no other event of the gateway can
  // be triggered afterwards
  const race = definitions(
    'race',
    `<bpmn:startEvent id="start"/>
     <bpmn:eventBasedGateway id="gate"/>
     <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m-paid"/></bpmn:intermediateCatchEvent>
     <bpmn:intermediateCatchEvent id="expired"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
     ${serviceTask('ship', 'race-ship')}${serviceTask('cancel', 'race-cancel')}
     <bpmn:endEvent id="endShipped"/><bpmn:endEvent id="endCancelled"/>
     ${flow('f1', 'start', 'gate')}${flow('f2', 'gate', 'paid')}${flow('f3', 'gate', 'expired')}
     ${flow('f4', 'paid', 'ship')}${flow('f5', 'expired', 'cancel')}${flow('f6', 'ship', 'endShipped')}${flow('f7', 'cancel', 'endCancelled')}`,
    message('m-paid', 'race-paid', '=orderId'),
  );

  /** Jobs of `type` for this instance only: earlier cases leave activated jobs whose timeouts the advanced clock lets lapse. */
  async function jobsOf(type: string, processInstanceKey: string) {
    return (await activate(type)).filter((job) => job.processInstanceKey === processInstanceKey);
  }

  /** What the engine still holds open for an instance (no API exposes subscriptions and timers). */
  function openEvents(processInstanceKey: string) {
    const key = Number(processInstanceKey);
    const state = h.engine.engine.state;
    return {
      subscriptions: [...state.values('subscriptions')].filter((s) => s.processInstanceKey === key).length,
      timers: [...state.values('timers')].filter((t) => t.processInstanceKey === key).length,
    };
  }

  it('given a message first, takes the message flow with its variables and disarms the timer', async () => {
    await deploy(h, 'race', race);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'race', variables: { orderId: 'r-1' } });
    expect(await elements(created.processInstanceKey)).toContain('gate:ACTIVE');

    await h.zeebe.publishMessage({ name: 'race-paid', correlationKey: 'r-1', variables: { amount: 42 }, timeToLive: 0 });
    const [ship] = await activate('race-ship');
    expect(ship!.variables).toMatchObject({ orderId: 'r-1', amount: 42 });
    expect(await elements(created.processInstanceKey)).toEqual(expect.arrayContaining(['gate:COMPLETED', 'paid:COMPLETED', 'ship:ACTIVE']));
    expect(openEvents(created.processInstanceKey)).toEqual({ subscriptions: 0, timers: 0 });

    h.clock.advance(2 * 3600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobsOf('race-cancel', created.processInstanceKey)).toEqual([]);
    await h.zeebe.completeJob({ jobKey: ship!.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await elements(created.processInstanceKey)).not.toContain('expired:COMPLETED');
  });

  it('given the timer first, takes the timer flow and closes the message subscription', async () => {
    await deploy(h, 'race', race);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'race', variables: { orderId: 'r-2' } });
    h.clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 20));
    const [cancel] = await jobsOf('race-cancel', created.processInstanceKey);
    expect(cancel).toBeDefined();
    expect(openEvents(created.processInstanceKey)).toEqual({ subscriptions: 0, timers: 0 });

    // the gateway's subscription is closed: a late message has nobody to correlate to and, with
    // a TTL, stays buffered instead
    await h.zeebe.publishMessage({ name: 'race-paid', correlationKey: 'r-2', variables: {}, timeToLive: 0 });
    expect(await jobsOf('race-ship', created.processInstanceKey)).toEqual([]);
    expect(await elements(created.processInstanceKey)).toEqual(expect.arrayContaining(['expired:COMPLETED', 'cancel:ACTIVE']));
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-buffering: a buffered message
  // correlates when the subscription opens, which for a gateway is on entering it
  it('given a message buffered before the gateway is reached, takes the message flow at once', async () => {
    await deploy(h, 'race', race);
    await h.zeebe.publishMessage({ name: 'race-paid', correlationKey: 'r-3', variables: { early: true }, timeToLive: 60_000 });
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'race', variables: { orderId: 'r-3' } });
    const [ship] = await activate('race-ship');
    expect(ship?.processInstanceKey).toBe(created.processInstanceKey);
    expect(ship!.variables).toMatchObject({ early: true });
    h.clock.advance(2 * 3600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobsOf('race-cancel', created.processInstanceKey)).toEqual([]);
  });

  it('rejects a gateway with fewer than two flows or a flow to anything but a message or timer catch event, naming it', async () => {
    const oneFlow = definitions(
      'gate-one',
      `<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="lonely"/>
       <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>
       ${flow('f1', 'start', 'lonely')}${flow('f2', 'lonely', 'wait')}${flow('f3', 'wait', 'end')}`,
    );
    await expect(deploy(h, 'gate-one', oneFlow)).rejects.toMatchObject({ code: 3, details: expect.stringContaining("'lonely'") });
    const toTask = definitions(
      'gate-task',
      `<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="gate"/>
       <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
       ${serviceTask('task', 'gate-task-work')}<bpmn:endEvent id="end"/>
       ${flow('f1', 'start', 'gate')}${flow('f2', 'gate', 'wait')}${flow('toTask', 'gate', 'task')}${flow('f4', 'wait', 'end')}${flow('f5', 'task', 'end')}`,
    );
    await expect(deploy(h, 'gate-task', toTask)).rejects.toMatchObject({ code: 3, details: expect.stringContaining("'toTask'") });
  });

  // docs.camunda.io/docs/components/concepts/process-instance-creation/ (cancel): cancelling
  // the instance closes what the waiting gateway opened
  it('given a waiting gateway, when the instance is cancelled, then its message and timer are gone', async () => {
    await deploy(h, 'race', race);
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'race', variables: { orderId: 'r-4' } });
    await h.zeebe.cancelProcessInstance(created.processInstanceKey);
    expect(await state(created.processInstanceKey)).toBe('TERMINATED');
    await h.zeebe.publishMessage({ name: 'race-paid', correlationKey: 'r-4', variables: {}, timeToLive: 0 });
    h.clock.advance(2 * 3600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobsOf('race-ship', created.processInstanceKey)).toEqual([]);
    expect(await jobsOf('race-cancel', created.processInstanceKey)).toEqual([]);
    expect(openEvents(created.processInstanceKey)).toEqual({ subscriptions: 0, timers: 0 });
  });
});

describe('timer start events', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/timer-events/#timer-start-events: deploying
  // schedules a timer per timer start event; each trigger creates an instance that starts at that
  // event; a new version cancels the timers of the previous one
  function timerStarted(processId: string, timer: string, type: string) {
    return definitions(
      processId,
      `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition>${timer}</bpmn:timerEventDefinition></bpmn:startEvent>
       ${serviceTask('work', type)}<bpmn:endEvent id="end"/>
       ${flow('f1', 'tick', 'work')}${flow('f2', 'work', 'end')}`,
    );
  }

  /** Advances the clock, then takes the new instances' jobs (completing them, so that no lapsed activation brings a job back). */
  async function tickAndCollect(type: string, ms: number) {
    h.clock.advance(ms);
    await new Promise((r) => setTimeout(r, 30));
    const jobs = await activate(type);
    for (const job of jobs) await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    return jobs;
  }

  it('given a cycle R2/PT1H, creates one instance an hour, twice, each starting at the timer start event', async () => {
    await deploy(h, 'hourly', timerStarted('hourly', '<bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>', 'hourly-work'));
    expect(await tickAndCollect('hourly-work', 59 * 60_000)).toEqual([]);
    const [first] = await tickAndCollect('hourly-work', 60_000);
    expect(first?.bpmnProcessId).toBe('hourly');
    expect(await elements(first!.processInstanceKey)).toEqual(['tick:COMPLETED', 'work:COMPLETED', 'end:COMPLETED'].sort());
    expect(await tickAndCollect('hourly-work', 3600_000)).toHaveLength(1);
    expect(await tickAndCollect('hourly-work', 3600_000)).toEqual([]);
  });

  it('given a date, creates one instance when the clock reaches it', async () => {
    const due = new Date(h.clock.now() + 30 * 60_000).toISOString();
    await deploy(h, 'once', timerStarted('once', `<bpmn:timeDate>${due}</bpmn:timeDate>`, 'once-work'));
    expect(await tickAndCollect('once-work', 29 * 60_000)).toEqual([]);
    expect(await tickAndCollect('once-work', 60_000)).toHaveLength(1);
    expect(await tickAndCollect('once-work', 24 * 3600_000)).toEqual([]);
  });

  it('given a new version, cancels the timers of the previous one and runs its own', async () => {
    await deploy(h, 'versioned', timerStarted('versioned', '<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>', 'versioned-v1'));
    expect(await tickAndCollect('versioned-v1', 3600_000)).toHaveLength(1);
    await deploy(h, 'versioned', timerStarted('versioned', '<bpmn:timeCycle>R/PT2H</bpmn:timeCycle>', 'versioned-v2'));
    expect(await tickAndCollect('versioned-v1', 3600_000)).toEqual([]);
    const [v2] = await tickAndCollect('versioned-v2', 3600_000);
    expect(v2?.processDefinitionVersion).toBe(2);
  });

  // docs/architecture.md §4 (durable state): a scheduled start timer is state like any other
  it('keeps a scheduled start timer across a restart', async () => {
    await deploy(h, 'durable-start', timerStarted('durable-start', '<bpmn:timeCycle>R1/PT1H</bpmn:timeCycle>', 'durable-start-work'));
    await h.restart();
    expect(await tickAndCollect('durable-start-work', 3600_000)).toHaveLength(1);
  });

  it('rejects a timer start event with a duration or an invalid cycle, naming it', async () => {
    await expect(deploy(h, 'bad-duration', timerStarted('bad-duration', '<bpmn:timeDuration>PT1H</bpmn:timeDuration>', 'x'))).rejects.toMatchObject({ code: 3, details: expect.stringContaining("'tick'") });
    await expect(deploy(h, 'bad-cycle', timerStarted('bad-cycle', '<bpmn:timeCycle>every hour</bpmn:timeCycle>', 'x'))).rejects.toMatchObject({ code: 3, details: expect.stringContaining('every hour') });
    await expect(h.zeebe.createProcessInstance({ bpmnProcessId: 'bad-cycle', variables: {} })).rejects.toMatchObject({ code: 5 });
  });
});

describe('signals', () => {
  // docs.camunda.io/docs/components/modeler/bpmn/signal-events/ and
  // docs.camunda.io/docs/components/concepts/signals/: one broadcast triggers every matching
  // signal catch event, boundary event and signal start event; signals are not buffered
  const signal = (id: string, name: string) => `<bpmn:signal id="${id}" name="${name}"/>`;
  const catchSignal = (id: string, ref: string) => `<bpmn:intermediateCatchEvent id="${id}"><bpmn:signalEventDefinition signalRef="${ref}"/></bpmn:intermediateCatchEvent>`;

  async function jobsOf(type: string, processInstanceKey?: string) {
    return (await activate(type)).filter((job) => processInstanceKey === undefined || job.processInstanceKey === processInstanceKey);
  }

  it('given instances of two processes waiting for a signal, one broadcast continues both with its variables', async () => {
    for (const id of ['sig-a', 'sig-b']) {
      await deploy(h, id, definitions(id, `<bpmn:startEvent id="start"/>${catchSignal('wait', 's1')}${serviceTask('after', `${id}-after`)}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'after')}${flow('f3', 'after', 'end')}`, signal('s1', 'catalog-updated')));
    }
    const a = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-a', variables: {} });
    const b = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-b', variables: {} });
    const answer = await h.zeebe.broadcastSignal({ signalName: 'catalog-updated', variables: { release: 7 } });
    expect(answer.key).toMatch(/^\d+$/);
    const [afterA] = await jobsOf('sig-a-after', a.processInstanceKey);
    const [afterB] = await jobsOf('sig-b-after', b.processInstanceKey);
    expect(afterA!.variables).toMatchObject({ release: 7 });
    expect(afterB!.variables).toMatchObject({ release: 7 });
  });

  it('given a broadcast before the catch event is entered, the instance keeps waiting (no buffering)', async () => {
    await deploy(h, 'sig-late', definitions('sig-late', `<bpmn:startEvent id="start"/>${serviceTask('first', 'sig-late-first')}${catchSignal('wait', 's1')}${serviceTask('after', 'sig-late-after')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'first')}${flow('f2', 'first', 'wait')}${flow('f3', 'wait', 'after')}${flow('f4', 'after', 'end')}`, signal('s1', 'late-signal')));
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-late', variables: {} });
    await h.zeebe.broadcastSignal({ signalName: 'late-signal', variables: {} });
    const [first] = await jobsOf('sig-late-first', created.processInstanceKey);
    await h.zeebe.completeJob({ jobKey: first!.key, variables: {} });
    expect(await jobsOf('sig-late-after', created.processInstanceKey)).toEqual([]);
    expect(await elements(created.processInstanceKey)).toContain('wait:ACTIVE');
    await h.zeebe.broadcastSignal({ signalName: 'late-signal', variables: {} });
    expect(await jobsOf('sig-late-after', created.processInstanceKey)).toHaveLength(1);
  });

  it('given an interrupting signal boundary event, a broadcast terminates the task and takes the boundary flow', async () => {
    await deploy(
      h,
      'sig-boundary',
      definitions(
        'sig-boundary',
        `<bpmn:startEvent id="start"/>${serviceTask('work', 'sig-boundary-work')}
         <bpmn:boundaryEvent id="cancelled" attachedToRef="work"><bpmn:signalEventDefinition signalRef="s1"/></bpmn:boundaryEvent>
         ${serviceTask('undo', 'sig-boundary-undo')}<bpmn:endEvent id="end"/><bpmn:endEvent id="endCancelled"/>
         ${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}${flow('f3', 'cancelled', 'undo')}${flow('f4', 'undo', 'endCancelled')}`,
        signal('s1', 'stop-everything'),
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-boundary', variables: {} });
    const [work] = await jobsOf('sig-boundary-work', created.processInstanceKey);
    await h.zeebe.broadcastSignal({ signalName: 'stop-everything', variables: {} });
    await expect(h.zeebe.completeJob({ jobKey: work!.key, variables: {} })).rejects.toMatchObject({ code: 5 });
    expect(await jobsOf('sig-boundary-undo', created.processInstanceKey)).toHaveLength(1);
  });

  it('given a signal start event, a broadcast starts one instance of the latest version with its variables', async () => {
    const started = (version: string) =>
      definitions('sig-start', `<bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="s1"/></bpmn:startEvent>${serviceTask('work', `sig-start-${version}`)}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}`, signal('s1', 'new-tariff'));
    await deploy(h, 'sig-start', started('v1'));
    await deploy(h, 'sig-start', started('v2'));
    await h.zeebe.broadcastSignal({ signalName: 'new-tariff', variables: { tariff: 'T9' } });
    expect(await jobsOf('sig-start-v1')).toEqual([]);
    const [job] = await jobsOf('sig-start-v2');
    expect(job!.variables).toMatchObject({ tariff: 'T9' });
    expect(job!.processDefinitionVersion).toBe(2);
  });

  it('given an event-based gateway with a signal and a timer, the signal releases it', async () => {
    await deploy(
      h,
      'sig-gate',
      definitions(
        'sig-gate',
        `<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="gate"/>${catchSignal('signalled', 's1')}
         <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
         ${serviceTask('go', 'sig-gate-go')}<bpmn:endEvent id="end"/><bpmn:endEvent id="endTimeout"/>
         ${flow('f1', 'start', 'gate')}${flow('f2', 'gate', 'signalled')}${flow('f3', 'gate', 'timeout')}${flow('f4', 'signalled', 'go')}${flow('f5', 'go', 'end')}${flow('f6', 'timeout', 'endTimeout')}`,
        signal('s1', 'gate-open'),
      ),
    );
    const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-gate', variables: {} });
    await h.zeebe.broadcastSignal({ signalName: 'gate-open', variables: {} });
    expect(await jobsOf('sig-gate-go', created.processInstanceKey)).toHaveLength(1);
    expect(await elements(created.processInstanceKey)).toEqual(expect.arrayContaining(['gate:COMPLETED', 'signalled:COMPLETED']));
  });

  // docs.camunda.io/docs/components/modeler/bpmn/signal-events/ (throw and end events): the
  // event's input mappings are the signal's variables; the thrower goes on at once
  it('given a signal throw event and a signal end event, each broadcasts with its input mappings as variables', async () => {
    await deploy(h, 'sig-listener', definitions('sig-listener', `<bpmn:startEvent id="start"/>${catchSignal('wait', 's1')}${serviceTask('after', 'sig-listener-after')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'wait')}${flow('f2', 'wait', 'after')}${flow('f3', 'after', 'end')}`, signal('s1', 'order-shipped')));
    await deploy(h, 'sig-started', definitions('sig-started', `<bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="s2"/></bpmn:startEvent>${serviceTask('work', 'sig-started-work')}<bpmn:endEvent id="end"/>${flow('f1', 'start', 'work')}${flow('f2', 'work', 'end')}`, signal('s2', 'order-closed')));
    const io = (name: string, source: string) => `<bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="${source}" target="${name}"/></zeebe:ioMapping></bpmn:extensionElements>`;
    await deploy(
      h,
      'sig-thrower',
      definitions(
        'sig-thrower',
        `<bpmn:startEvent id="start"/>
         <bpmn:intermediateThrowEvent id="shout">${io('shippedOrder', '=orderId')}<bpmn:signalEventDefinition signalRef="s1"/></bpmn:intermediateThrowEvent>
         ${serviceTask('next', 'sig-thrower-next')}
         <bpmn:endEvent id="end">${io('closedOrder', '=orderId')}<bpmn:signalEventDefinition signalRef="s2"/></bpmn:endEvent>
         ${flow('f1', 'start', 'shout')}${flow('f2', 'shout', 'next')}${flow('f3', 'next', 'end')}`,
        signal('s1', 'order-shipped') + signal('s2', 'order-closed'),
      ),
    );
    const listener = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-listener', variables: {} });
    const thrower = await h.zeebe.createProcessInstance({ bpmnProcessId: 'sig-thrower', variables: { orderId: 'o-77', secret: 'not sent' } });
    const [after] = await jobsOf('sig-listener-after', listener.processInstanceKey);
    expect(after!.variables).toMatchObject({ shippedOrder: 'o-77' });
    expect(after!.variables).not.toHaveProperty('secret');
    const [next] = await jobsOf('sig-thrower-next', thrower.processInstanceKey);
    await h.zeebe.completeJob({ jobKey: next!.key, variables: {} });
    expect(await state(thrower.processInstanceKey)).toBe('COMPLETED');
    const [started] = await jobsOf('sig-started-work');
    expect(started!.variables).toEqual({ closedOrder: 'o-77' });
  });
});
