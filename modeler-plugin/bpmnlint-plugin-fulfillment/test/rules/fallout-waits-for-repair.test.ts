import { describeRule } from '../rule-table';

const message = 'Fallout route does not wait for <fulfillment-fallout-repaired> after opening the case';

describeRule('fallout-waits-for-repair', {
  valid: [
    { name: 'repair catch right after the fallout task', fixture: 'valid-repair-catch-after-fallout.bpmn' },
    { name: 'repair catch behind an event-based gateway', fixture: 'valid-repair-through-event-based-gateway.bpmn' },
    { name: 'other service tasks are not fallout routes', fixture: 'valid-other-service-task-ends.bpmn' },
    { name: 'a repair decision is collected before the wait', fixture: 'valid-repair-decision-before-wait.bpmn' },
  ],
  invalid: [
    { name: 'process ends after opening fallout', fixture: 'invalid-fallout-then-end.bpmn', reports: [{ id: 'OpenFallout', message }] },
    { name: 'a task runs before the repair wait', fixture: 'invalid-task-before-repair.bpmn', reports: [{ id: 'OpenFallout', message }] },
    {
      name: 'a repair decision is collected but nothing waits for the repair',
      fixture: 'invalid-repair-decision-then-end.bpmn',
      reports: [{ id: 'OpenFallout', message }],
    },
    { name: 'waits for another message', fixture: 'invalid-fallout-with-wrong-message.bpmn', reports: [{ id: 'OpenFallout', message }] },
  ],
});
