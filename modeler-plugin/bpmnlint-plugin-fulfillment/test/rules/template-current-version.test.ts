import { createRequire } from 'node:module';
import { describeRule } from '../rule-table';

const catalog = createRequire(import.meta.url)('../../lib/fulfillment-catalog.json') as { templateVersions: Record<string, number> };
const loadPlan = 'fulfillment-pack.load-fulfillment-plan';
const current = catalog.templateVersions[loadPlan];

// valid-current-version.bpmn pins the current versions of two templates: when gen:templates bumps
// one of them, update the fixture with the model.

describeRule('template-current-version', {
  valid: [
    { name: 'current versions of our templates', fixture: 'valid-current-version.bpmn' },
    { name: 'no template, or a template that is not ours', fixture: 'valid-no-template-and-foreign-template.bpmn' },
    // The Modeler stamps the message it creates for a message template with the id only.
    { name: 'a message stamped with our template id and no version', fixture: 'valid-templated-message-without-version.bpmn' },
  ],
  invalid: [
    {
      name: 'an older version',
      fixture: 'invalid-old-version.bpmn',
      reports: [{ id: 'Load', message: `Template <${loadPlan}> is at version 0; current is ${current}` }],
    },
    {
      name: 'a version newer than generated',
      fixture: 'invalid-newer-version.bpmn',
      reports: [{ id: 'Load', message: `Template <${loadPlan}> is at version 99; current is ${current}` }],
    },
    {
      name: 'no version',
      fixture: 'invalid-missing-version.bpmn',
      reports: [{ id: 'Load', message: `Template <${loadPlan}> is at version none; current is ${current}` }],
    },
    {
      name: 'a template id we never generated',
      fixture: 'invalid-unknown-template.bpmn',
      reports: [{ id: 'Load', message: 'Template <fulfillment-pack.load-everything> does not exist (any more)' }],
    },
  ],
});
