import { describeRule } from '../rule-table';

describeRule('registered-job-type', {
  valid: [{ name: 'registered job types', fixture: 'valid-registered-job-types.bpmn' }],
  invalid: [
    {
      name: 'a misspelt job type',
      fixture: 'invalid-unknown-job-type.bpmn',
      reports: [{ id: 'Execute', message: 'Job type <execute-task> is not a registered fulfillment job type' }],
    },
    {
      name: 'a job type chosen by expression',
      fixture: 'invalid-expression-job-type.bpmn',
      reports: [{ id: 'Execute', message: 'Job type <=jobType> is not a registered fulfillment job type' }],
    },
    {
      name: 'no task definition',
      fixture: 'invalid-no-task-definition.bpmn',
      reports: [{ id: 'Execute', message: 'Service task has no job type' }],
    },
  ],
});
