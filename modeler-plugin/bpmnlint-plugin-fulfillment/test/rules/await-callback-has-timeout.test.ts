import { describeRule } from '../rule-table';

const message = 'Callback wait has no timeout: add a timer boundary or race it against a timer';

describeRule('await-callback-has-timeout', {
  valid: [
    { name: 'receive task with a timer boundary', fixture: 'valid-receive-task-with-timer-boundary.bpmn' },
    { name: 'catch raced against a timer by an event-based gateway', fixture: 'valid-event-based-gateway-with-timer.bpmn' },
    { name: 'catch inside a subprocess with a timer boundary', fixture: 'valid-catch-in-subprocess-with-timer-boundary.bpmn' },
    { name: 'a non-callback message needs no timer', fixture: 'valid-other-message-without-timer.bpmn' },
  ],
  invalid: [
    { name: 'catch straight after submit', fixture: 'invalid-catch-without-timer.bpmn', reports: [{ id: 'AwaitCallback', message }] },
    {
      name: 'receive task with only a message boundary',
      fixture: 'invalid-receive-task-with-message-boundary-only.bpmn',
      reports: [{ id: 'AwaitCallback', message }],
    },
    {
      name: 'event-based gateway without a timer branch',
      fixture: 'invalid-event-based-gateway-without-timer.bpmn',
      reports: [{ id: 'AwaitCallback', message }],
    },
    {
      name: 'await-callback template with another message name',
      fixture: 'invalid-template-catch-with-other-message.bpmn',
      reports: [{ id: 'AwaitCallback', message }],
    },
  ],
});
