/**
 * The §30 invariant assertion can fail: fed a sound state it finds nothing, fed a deliberately
 * broken one it names what is broken.
 */
import { describe, expect, it } from 'vitest';
import { fulfillmentInvariantViolations, type InvariantState, type InvariantTask } from './fulfillment-invariant';

const task = (sequence: number, taskType: string, executionMode: string, ownerSystem: string, evidence: string[], attempts = ['SUCCEEDED']): InvariantTask => ({
  sequence,
  taskType,
  executionMode,
  ownerSystem,
  required: true,
  status: 'COMPLETED',
  attempts,
  evidence,
});

function soundState(): InvariantState {
  return {
    orderId: 'order-1',
    orderStatus: 'COMPLETED',
    tasks: [
      task(1, 'CHECK_SERVICEABILITY', 'AUTOMATED_SYNC', 'inventory-adapter', ['PARTNER_RESPONSE']),
      task(2, 'CREATE_PROVISIONING_REQUEST', 'AUTOMATED_ASYNC', 'provisioning-adapter', ['PARTNER_RESPONSE', 'CALLBACK']),
      task(3, 'ONSITE_INSTALLATION_CONFIRMATION', 'MANUAL', 'tasklist', ['MANUAL_DECISION'], []),
      task(4, 'UPDATE_INSTALLED_BASE', 'AUTOMATED_SYNC', 'installed-base', ['ASSET_IMPACT']),
      { ...task(5, 'SEND_CUSTOMER_NOTIFICATION', 'AUTOMATED_SYNC', 'notification-adapter', []), required: false, status: 'FAILED' },
    ],
    items: [{ label: 'ADD FIBER-500', impactApplied: true }],
    openFalloutCases: [],
    finalTransition: { orderUpdateTx: '901', orderXmin: '901', auditTx: '901', auditXmin: '901', outboxTx: '901' },
    engine: { processInstanceState: 'COMPLETED', activeElements: [], activeIncidents: [], openUserTasks: [] },
  };
}

describe('the §30 fulfillment invariant', () => {
  it('given a completed order with every effect evidenced and one final transaction, then it holds', () => {
    expect(fulfillmentInvariantViolations(soundState())).toEqual([]);
  });

  it('given a task left IN_PROGRESS on a COMPLETED order, then it fails naming the task', () => {
    const state = soundState();
    state.tasks[0] = { ...state.tasks[0]!, status: 'IN_PROGRESS' };
    const violations = fulfillmentInvariantViolations(state);
    expect(violations).toContain('task #1 CHECK_SERVICEABILITY is IN_PROGRESS on a COMPLETED order (required tasks end COMPLETED or SKIPPED)');
    expect(violations).toContain('task #1 CHECK_SERVICEABILITY is still IN_PROGRESS at end state COMPLETED');
  });

  it('given an async task completed without a processed callback, a manual task without a decision and an item without asset impact, then each is named', () => {
    const state = soundState();
    state.tasks[1] = { ...state.tasks[1]!, evidence: ['PARTNER_RESPONSE'] };
    state.tasks[2] = { ...state.tasks[2]!, evidence: [] };
    state.items[0] = { label: 'ADD FIBER-500', impactApplied: false };
    expect(fulfillmentInvariantViolations(state)).toEqual([
      'task #2 CREATE_PROVISIONING_REQUEST completed without CALLBACK evidence of its external effect',
      'task #3 ONSITE_INSTALLATION_CONFIRMATION completed without a MANUAL_DECISION evidence',
      'the asset impact of item ADD FIBER-500 is not in the installed base',
    ]);
  });

  it('given the end event written by another transaction than the order update and its audit row, then it fails', () => {
    const state = soundState();
    state.finalTransition = { ...state.finalTransition, outboxTx: '902' };
    expect(fulfillmentInvariantViolations(state)).toEqual([
      'the final transition was not one transaction: order update tx 901, order row xmin 901, audit row tx 901, audit row xmin 901, end event tx 902',
    ]);
  });

  it('given a cancelled order whose instance still has an active job element and an incident, then it fails on the engine leftovers only', () => {
    const state = soundState();
    state.orderStatus = 'COMPENSATED';
    state.tasks = [{ ...state.tasks[0]!, status: 'COMPENSATED' }];
    state.engine = { processInstanceState: 'ACTIVE', activeElements: ['Task_Execute (SERVICE_TASK)'], activeIncidents: ['Task_Execute: JOB_NO_RETRIES boom'], openUserTasks: [] };
    expect(fulfillmentInvariantViolations(state)).toEqual([
      'the process instance is ACTIVE, not ended',
      'element Task_Execute (SERVICE_TASK) is still ACTIVE in the engine',
      'incident Task_Execute: JOB_NO_RETRIES boom is still ACTIVE in the engine',
    ]);
  });

  it('given a completed manual task whose attempt is still STARTED, then it fails', () => {
    const state = soundState();
    state.tasks[2] = { ...state.tasks[2]!, attempts: ['STARTED'] };
    expect(fulfillmentInvariantViolations(state)).toEqual(['task #3 ONSITE_INSTALLATION_CONFIRMATION is COMPLETED, but an attempt of it is still STARTED']);
  });

  it('given an order that never reached an end state, then it fails', () => {
    expect(fulfillmentInvariantViolations({ ...soundState(), orderStatus: 'IN_FULFILLMENT' })).toEqual(['order order-1 is IN_FULFILLMENT, not in an end state']);
  });
});
