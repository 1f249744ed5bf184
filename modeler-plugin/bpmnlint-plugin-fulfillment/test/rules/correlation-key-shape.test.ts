import { describeRule } from '../rule-table';

const taskKey = '=tenantId + ":" + orderId + ":" + currentTaskId';
const orderKey = '=tenantId + ":" + orderId + ":" + fulfillmentPlanId';
const normalized = (key: string) => key.replace(/\s+/g, '');

describeRule('correlation-key-shape', {
  valid: [
    { name: 'callback catch with the task key', fixture: 'valid-callback-with-task-key.bpmn' },
    { name: 'task key written without spaces', fixture: 'valid-task-key-other-spacing.bpmn' },
    { name: 'cancel boundary with the order key', fixture: 'valid-cancel-boundary-with-order-key.bpmn' },
    { name: 'message start event has no key', fixture: 'valid-message-start-event-without-key.bpmn' },
  ],
  invalid: [
    {
      name: 'callback with the order key',
      fixture: 'invalid-callback-with-order-key.bpmn',
      reports: [{ id: 'AwaitCallback', message: `Correlation key of <provisioning-completed> must be ${normalized(taskKey)}` }],
    },
    {
      name: 'callback receive task without a key',
      fixture: 'invalid-callback-without-key.bpmn',
      reports: [{ id: 'AwaitCallback', message: `Correlation key of <billing-activated> must be ${normalized(taskKey)}` }],
    },
    {
      name: 'cancel with the task key',
      fixture: 'invalid-cancel-with-task-key.bpmn',
      reports: [{ id: 'Cancel', message: `Correlation key of <order-cancel-requested> must be ${normalized(orderKey)}` }],
    },
    {
      name: 'other message keyed by order id only',
      fixture: 'invalid-other-message-with-order-id-only.bpmn',
      reports: [
        {
          id: 'AwaitOther',
          message: `Correlation key of <contract-signed> must be ${normalized(taskKey)} or ${normalized(orderKey)}`,
        },
      ],
    },
  ],
});
