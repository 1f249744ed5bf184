import { describe, expect, it } from 'vitest';
import { callbackMessages, type FulfillmentTaskType } from '../domain/vocabulary';
import { BugError } from '../errors';
import { partnerSystems, type PartnerSystem } from './partner-adapter';
import { callsBack, partnerOperation, partnerOperations, performsOperation } from './partner-operations';

describe('partner operations', () => {
  it.each<[PartnerSystem, FulfillmentTaskType, 'SYNC' | 'ASYNC', boolean]>([
    ['inventory', 'CHECK_SERVICEABILITY', 'SYNC', false],
    ['inventory', 'RESERVE_RESOURCE', 'SYNC', false],
    ['inventory', 'RELEASE_RESOURCE', 'SYNC', false],
    ['provisioning', 'CREATE_PROVISIONING_REQUEST', 'ASYNC', false],
    ['provisioning', 'DEACTIVATE_SERVICE', 'ASYNC', false],
    ['provisioning', 'WAIT_PROVISIONING_COMPLETED', 'ASYNC', false],
    ['shipping', 'SCHEDULE_SHIPMENT', 'SYNC', true],
    ['shipping', 'CANCEL_SHIPMENT', 'SYNC', false],
    ['billing', 'ACTIVATE_BILLING', 'ASYNC', false],
    ['billing', 'DEACTIVATE_BILLING', 'ASYNC', false],
    ['billing', 'REVERSE_BILLING_ACTIVATION', 'SYNC', false],
    ['appointment', 'SCHEDULE_APPOINTMENT', 'ASYNC', false],
    ['appointment', 'CANCEL_APPOINTMENT', 'SYNC', false],
    ['notification', 'SEND_CUSTOMER_NOTIFICATION', 'SYNC', false],
    ['streaming', 'CREATE_PROVISIONING_REQUEST', 'SYNC', false],
    ['streaming', 'DEACTIVATE_SERVICE', 'SYNC', false],
  ])('given %s, when asked for %s, then it answers %s (confirms later: %s)', (system, taskType, mode, confirmsLater) => {
    expect(partnerOperation(system, taskType)).toEqual({ mode, confirmsLater });
  });

  it('when a system is asked for a task type it does not perform, then it is a bug with PARTNER.UNSUPPORTED_OPERATION', () => {
    const attempt = () => partnerOperation('inventory', 'ACTIVATE_BILLING');
    expect(attempt).toThrow(BugError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'PARTNER.UNSUPPORTED_OPERATION', details: { system: 'inventory', taskType: 'ACTIVATE_BILLING' } }));
    expect(performsOperation('shipping', 'CONFIRM_SHIPMENT')).toBe(false);
    expect(performsOperation('shipping', 'toString')).toBe(false);
  });

  it('every operation that calls back is awaited by its own system\'s callback message, and no other system calls back', () => {
    for (const system of partnerSystems) {
      const message = callbackMessages.find((candidate) => candidate.system === system);
      for (const [taskType, operation] of Object.entries(partnerOperations[system])) {
        if (!callsBack(operation)) continue;
        expect(message, `${system} ${taskType}`).toBeDefined();
        expect(message!.awaitedBy as readonly string[]).toContain(taskType);
      }
    }
    expect(Object.values(partnerOperations.inventory).some(callsBack)).toBe(false);
    expect(Object.values(partnerOperations.notification).some(callsBack)).toBe(false);
    expect(Object.values(partnerOperations.streaming).some(callsBack)).toBe(false);
  });
});
