import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartnerAdapters, HttpPartnerAdapter, partnerSystems, PartnerSimulator } from './index';

let simulator: PartnerSimulator;
let partnerUrl: string;

beforeAll(async () => {
  simulator = new PartnerSimulator({ callbackBaseUrl: 'http://127.0.0.1:0', defaults: { noCallback: true } });
  partnerUrl = (await simulator.start()).url;
});

afterAll(() => simulator.close());

describe('createPartnerAdapters', () => {
  it('given one base URL, then every system gets an HTTP adapter that reaches it', async () => {
    const adapters = createPartnerAdapters(partnerUrl, { timeoutMs: 1000 });

    expect(Object.keys(adapters).sort()).toEqual([...partnerSystems].sort());
    for (const system of partnerSystems) expect(adapters[system]).toBeInstanceOf(HttpPartnerAdapter);
    const outcome = await adapters.notification.perform({
      tenantId: 'tenant-a',
      orderId: 'order-1',
      orderItemId: 'item-1',
      taskId: 'task-1',
      taskType: 'SEND_CUSTOMER_NOTIFICATION',
      idempotencyKey: 'tenant-a:order-1:task-1:EXECUTE-1',
      externalCorrelationId: 'corr-1',
      input: {},
    });
    expect(outcome).toMatchObject({ kind: 'DONE', reference: expect.stringMatching(/^notification-/) });
    expect(simulator.systemCallCount('notification')).toBe(1);
  });

  it('given a partial map, then only the named systems get one, each at its own URL', () => {
    const adapters = createPartnerAdapters({ inventory: 'http://127.0.0.1:1/api', billing: 'http://127.0.0.1:2/api' });

    expect(Object.keys(adapters).sort()).toEqual(['billing', 'inventory']);
    expect(adapters.inventory?.system).toBe('inventory');
    expect(adapters.billing?.system).toBe('billing');
  });
});
