/**
 * Conformance: message correlation (subscriptions, correlation keys, TTL buffering, messageId
 * uniqueness), driven only through the @camunda8/sdk clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow, message, serviceTask } from './fixtures';
import { deploy, now, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_msg');
  // start -> prepare (job) -> wait for "payment-received" keyed by orderId -> end
  await deploy(
    h,
    'msg-wait',
    definitions(
      'msg-wait',
      `<bpmn:startEvent id="start"/>
       ${serviceTask('prepare', 'msg-prepare')}
       <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>
       <bpmn:endEvent id="end"/>
       ${flow('f1', 'start', 'prepare')}${flow('f2', 'prepare', 'wait')}${flow('f3', 'wait', 'end')}`,
      message('m1', 'payment-received', '=orderId'),
    ),
  );
});
afterAll(async () => {
  await h.close();
});

async function state(key: string) {
  return (await h.api.getProcessInstance({ processInstanceKey: key }, now)).state;
}

async function startAndReachWait(orderId: string) {
  const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'msg-wait', variables: { orderId } });
  const [job] = await h.zeebe.activateJobs({ type: 'msg-prepare', worker: 'w', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: -1 });
  return { created, job: job! };
}

async function rootVariables(processInstanceKey: string) {
  const result = await h.api.searchVariables({ filter: { processInstanceKey, scopeKey: processInstanceKey } }, now);
  return Object.fromEntries(result.items.map((v) => [v.name, JSON.parse(v.value)]));
}

describe('messages', () => {
  // docs.camunda.io/docs/components/concepts/messages/#message-correlation: a message correlates
  // to an open subscription with the same name and correlation key; its variables are merged
  it('correlates a published message to the waiting instance with its variables', async () => {
    const { created, job } = await startAndReachWait('o-100');
    await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-999', variables: { amount: 1 }, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-100', variables: { amount: 42 }, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await rootVariables(created.processInstanceKey)).toMatchObject({ orderId: 'o-100', amount: 42 });
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-buffering: a message published
  // before the subscription opens is correlated when it opens, within its time to live
  it('correlates a buffered message within its TTL when the subscription opens later', async () => {
    const { created, job } = await startAndReachWait('o-200');
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-200', variables: { early: true }, timeToLive: 10_000 });
    h.clock.advance(5000);
    await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
    expect(await rootVariables(created.processInstanceKey)).toMatchObject({ early: true });
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-buffering: after its TTL the
  // message is gone and does not correlate
  it('drops a buffered message after its TTL', async () => {
    const { created, job } = await startAndReachWait('o-300');
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-300', variables: {}, timeToLive: 1000 });
    h.clock.advance(1001);
    await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-uniqueness: a messageId is unique
  // while a message with it is buffered (ALREADY_EXISTS), free again once it expired
  it('rejects a duplicate messageId while the first is buffered', async () => {
    const publish = () => h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-400', messageId: 'msg-1', variables: {}, timeToLive: 2000 });
    await publish();
    await expect(publish()).rejects.toMatchObject({ code: 6 });
    h.clock.advance(2001);
    await expect(publish()).resolves.toBeDefined();
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-cardinality: a buffered message
  // correlates at most once per process (bpmnProcessId), even with two waiting instances
  it('correlates a buffered message to only one instance of the same process', async () => {
    const a = await startAndReachWait('o-500');
    const b = await startAndReachWait('o-500');
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-500', variables: {}, timeToLive: 60_000 });
    await h.zeebe.completeJob({ jobKey: a.job.key, variables: {} });
    await h.zeebe.completeJob({ jobKey: b.job.key, variables: {} });
    const states = [await state(a.created.processInstanceKey), await state(b.created.processInstanceKey)].sort();
    expect(states).toEqual(['ACTIVE', 'COMPLETED']);
  });

  // docs.camunda.io/docs/components/concepts/messages/#message-subscriptions: the correlation key
  // is evaluated when the subscription opens; later changes of the variable do not move it
  it('evaluates the correlation key when the subscription opens', async () => {
    const { created, job } = await startAndReachWait('o-600');
    await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
    await h.zeebe.setVariables({ elementInstanceKey: created.processInstanceKey, variables: { orderId: 'o-601' }, local: false });
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-601', variables: {}, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('ACTIVE');
    await h.zeebe.publishMessage({ name: 'payment-received', correlationKey: 'o-600', variables: {}, timeToLive: 0 });
    expect(await state(created.processInstanceKey)).toBe('COMPLETED');
  });
});
