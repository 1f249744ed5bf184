import { describeRule } from '../rule-table';

describeRule('compensation-only-on-compensatable', {
  valid: [
    { name: 'execute-fulfillment-task with a compensation handler', fixture: 'valid-compensatable-task-with-handler.bpmn' },
    { name: 'installed-base impact with a compensation handler', fixture: 'valid-installed-base-with-handler.bpmn' },
  ],
  invalid: [
    {
      name: 'boundary on finalize',
      fixture: 'invalid-boundary-on-finalize.bpmn',
      reports: [{ id: 'Compensate', message: 'Compensation boundary on <Finalize>, which is not a compensatable block' }],
    },
    {
      name: 'boundary on a user task',
      fixture: 'invalid-boundary-on-user-task.bpmn',
      reports: [{ id: 'Compensate', message: 'Compensation boundary on <Review>, which is not a compensatable block' }],
    },
    {
      name: 'handler running another job type',
      fixture: 'invalid-handler-with-other-job-type.bpmn',
      reports: [{ id: 'Undo', message: 'Compensation handler must be a service task running <execute-compensation-task>' }],
    },
  ],
});
