/**
 * The building blocks that are not jobs: the await-callback and fallout-repaired message catches,
 * the cancel, timeout and reminder boundaries, and the manual user task. Their names and keys come from the
 * same constants the runtime uses (`jobs/model-names.ts`), so a template cannot name a message the
 * correlation relay never publishes.
 */
import { callbackMessages } from '../../connector-runtime/src/domain/vocabulary';
import {
  cancelRequestedMessageName,
  falloutRepairedMessageName,
  manualTaskForms,
  orderCorrelationKeyExpression,
  taskCorrelationKeyExpression,
  taskTimeoutVariable,
} from '../../connector-runtime/src/jobs/model-names';
import { camundaEngineRange, elementTemplateSchemaUrl, templateCategory } from './template-types';
import type { TemplateProperty, UnversionedTemplate } from './template-types';

/** Template ids of the non-job blocks (the lint rules look for them). */
export const eventTemplateIds = {
  awaitCallback: 'fulfillment-pack.await-callback',
  falloutRepaired: 'fulfillment-pack.fallout-repaired',
  cancelBoundary: 'fulfillment-pack.cancel-boundary',
  timeoutBoundary: 'fulfillment-pack.timeout-boundary',
  reminderBoundary: 'fulfillment-pack.reminder-boundary',
  manualTask: 'fulfillment-pack.manual-task',
} as const;

/**
 * Variable holding when the soft reminder of the current task fires (ISO-8601 duration from the
 * start of the wait), as execute-fulfillment-task and submit-external-task-request return it.
 */
export const taskReminderVariable = 'taskReminder';

/**
 * What the reminder timer waits when the task's policy has no soft reminder: ten years, so it
 * never fires in practice (the wait ends long before) and a null duration raises no incident.
 */
export const noReminderDuration = 'P3650D';

/** Candidate group of manual tasks unless the analyst names another. */
export const defaultManualTaskCandidateGroup = 'fulfillment-operations';

const base = {
  $schema: elementTemplateSchemaUrl,
  engines: { camunda: camundaEngineRange },
  category: templateCategory,
};

/**
 * The fixed message of a catch or boundary, shown read-only: were it hidden, a template whose
 * other properties are hidden too would show no group at all, and the message nowhere.
 */
function fixedMessageName(messageName: string, description: string): TemplateProperty {
  return {
    id: 'message.name',
    label: 'Message',
    description,
    group: 'message',
    type: 'String',
    editable: false,
    value: messageName,
    binding: { type: 'bpmn:Message#property', name: 'name' },
  };
}

const taskKeyProperty: TemplateProperty = {
  id: 'message.correlationKey',
  label: 'Correlation key',
  description: 'tenantId:orderId:taskId (seed §10): the relay publishes with the same key.',
  group: 'message',
  type: 'Hidden',
  value: taskCorrelationKeyExpression,
  binding: { type: 'bpmn:Message#zeebe:subscription#property', name: 'correlationKey' },
};

function awaitCallback(): UnversionedTemplate {
  return {
    ...base,
    name: 'Await callback',
    id: eventTemplateIds.awaitCallback,
    description: 'Waits for the signed callback of an asynchronous task; attach a timeout boundary or use an event-based gateway with a timer.',
    appliesTo: ['bpmn:IntermediateCatchEvent', 'bpmn:IntermediateThrowEvent'],
    elementType: { value: 'bpmn:IntermediateCatchEvent', eventDefinition: 'bpmn:MessageEventDefinition' },
    groups: [{ id: 'message', label: 'Message' }],
    properties: [
      {
        id: 'message.name',
        label: 'Callback message',
        description: 'Message the correlation relay publishes when the external system answers.',
        group: 'message',
        type: 'Dropdown',
        value: callbackMessages[0].name,
        choices: callbackMessages.map((message) => ({ name: message.label, value: message.name })),
        binding: { type: 'bpmn:Message#property', name: 'name' },
      },
      taskKeyProperty,
    ],
  };
}

function falloutRepaired(): UnversionedTemplate {
  return {
    ...base,
    name: 'Await fallout repair',
    id: eventTemplateIds.falloutRepaired,
    description: 'Waits until an operator repairs the fallout case through a domain command (seed §17).',
    appliesTo: ['bpmn:IntermediateCatchEvent', 'bpmn:IntermediateThrowEvent'],
    elementType: { value: 'bpmn:IntermediateCatchEvent', eventDefinition: 'bpmn:MessageEventDefinition' },
    groups: [{ id: 'message', label: 'Message' }],
    properties: [
      fixedMessageName(falloutRepairedMessageName, 'Message the domain publishes once the fallout case is repaired, keyed by the task.'),
      taskKeyProperty,
    ],
  };
}

function cancelBoundary(): UnversionedTemplate {
  return {
    ...base,
    name: 'Cancel order (boundary)',
    id: eventTemplateIds.cancelBoundary,
    description: 'Interrupts the phases when the order API accepted a cancellation (seed §25); route to compensation.',
    appliesTo: ['bpmn:BoundaryEvent'],
    elementType: { value: 'bpmn:BoundaryEvent', eventDefinition: 'bpmn:MessageEventDefinition' },
    groups: [{ id: 'message', label: 'Message' }],
    properties: [
      fixedMessageName(cancelRequestedMessageName, 'Message the order API publishes when it accepted a cancellation, keyed by the run.'),
      {
        id: 'message.correlationKey',
        label: 'Correlation key',
        description: 'tenantId:orderId:fulfillmentPlanId, the business key of the run (seed §6).',
        group: 'message',
        type: 'Hidden',
        value: orderCorrelationKeyExpression,
        binding: { type: 'bpmn:Message#zeebe:subscription#property', name: 'correlationKey' },
      },
    ],
  };
}

const isoDurationConstraint = {
  notEmpty: true,
  pattern: { value: '^P(?!$)(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$', message: 'Use an ISO-8601 duration such as PT2H or P1D.' },
};

/** What differs between the two boundary timers a wait carries (hard timeout, soft reminder). */
interface PolicyTimerBoundary {
  name: string;
  id: string;
  description: string;
  sourceLabel: string;
  /** zeebe:property that records where the duration comes from. */
  sourceProperty: string;
  policyLabel: string;
  policyDescription: string;
  policyValue: string;
  fixedDescription: string;
}

/**
 * A boundary timer whose duration comes from the task's timeout policy (a variable the worker
 * returned) or, for waits the plan does not describe, from a fixed duration.
 */
function policyTimerBoundary(timer: PolicyTimerBoundary): UnversionedTemplate {
  return {
    ...base,
    name: timer.name,
    id: timer.id,
    description: timer.description,
    appliesTo: ['bpmn:BoundaryEvent'],
    elementType: { value: 'bpmn:BoundaryEvent', eventDefinition: 'bpmn:TimerEventDefinition' },
    groups: [{ id: 'timer', label: 'Timer' }],
    properties: [
      {
        id: 'timer.source',
        label: timer.sourceLabel,
        description: 'The task policy is the normal source; a fixed duration is for waits the plan does not describe.',
        group: 'timer',
        type: 'Dropdown',
        value: 'task-policy',
        choices: [
          { name: 'Task timeout policy', value: 'task-policy' },
          { name: 'Fixed duration', value: 'fixed' },
        ],
        binding: { type: 'zeebe:property', name: timer.sourceProperty },
      },
      {
        id: 'timer.policyDuration',
        label: timer.policyLabel,
        description: timer.policyDescription,
        group: 'timer',
        type: 'String',
        feel: 'required',
        value: timer.policyValue,
        constraints: { notEmpty: true },
        condition: { property: 'timer.source', equals: 'task-policy' },
        binding: { type: 'bpmn:TimerEventDefinition#property', name: 'timeDuration' },
      },
      {
        id: 'timer.fixedDuration',
        label: 'Fixed duration',
        description: timer.fixedDescription,
        group: 'timer',
        type: 'String',
        value: 'PT1H',
        constraints: isoDurationConstraint,
        condition: { property: 'timer.source', equals: 'fixed' },
        binding: { type: 'bpmn:TimerEventDefinition#property', name: 'timeDuration' },
      },
    ],
  };
}

function timeoutBoundary(): UnversionedTemplate {
  return policyTimerBoundary({
    name: 'Task timeout (boundary)',
    id: eventTemplateIds.timeoutBoundary,
    description: "Fires when the task's timeout policy expires (seed §14); route to apply-fulfillment-timeout.",
    sourceLabel: 'Timeout from',
    sourceProperty: 'fulfillment:timeoutSource',
    policyLabel: 'Timeout variable',
    policyDescription: 'Variable holding the ISO-8601 duration that execute-fulfillment-task or submit-external-task-request returned.',
    policyValue: `=${taskTimeoutVariable}`,
    fixedDescription: 'ISO-8601 duration, e.g. PT2H.',
  });
}

function reminderBoundary(): UnversionedTemplate {
  return policyTimerBoundary({
    name: 'Task reminder (boundary)',
    id: eventTemplateIds.reminderBoundary,
    description:
      "Soft timeout of the task's policy (seed §14): attach it non-interrupting to the wait and route to apply-fulfillment-timeout with timeout kind SOFT_REMINDER; the wait goes on.",
    sourceLabel: 'Reminder from',
    sourceProperty: 'fulfillment:reminderSource',
    policyLabel: 'Reminder expression',
    policyDescription: `When the reminder fires. A task whose policy has no soft reminder returns null; the fallback ${noReminderDuration} keeps the timer from raising an incident and never fires in practice.`,
    policyValue: `=if ${taskReminderVariable} = null then "${noReminderDuration}" else ${taskReminderVariable}`,
    fixedDescription: 'ISO-8601 duration, e.g. PT1H.',
  });
}

function manualTask(): UnversionedTemplate {
  return {
    ...base,
    name: 'Manual fulfillment task',
    id: eventTemplateIds.manualTask,
    description: 'A person decides in Tasklist through one of our forms; follow it with apply-manual-decision (seed §13).',
    appliesTo: ['bpmn:Task'],
    elementType: { value: 'bpmn:UserTask' },
    groups: [
      { id: 'form', label: 'Form' },
      { id: 'assignment', label: 'Assignment' },
    ],
    properties: [
      { type: 'Hidden', value: '', binding: { type: 'zeebe:userTask' } },
      {
        id: 'form.formId',
        label: 'Form',
        description: 'Camunda form shown in Tasklist: the form id, such as manual-activation-review, of a form in the forms folder.',
        group: 'form',
        type: 'Dropdown',
        value: manualTaskForms[0].id,
        choices: manualTaskForms.map((form) => ({ name: form.label, value: form.id })),
        binding: { type: 'zeebe:formDefinition', property: 'formId' },
      },
      {
        id: 'assignment.candidateGroups',
        label: 'Candidate groups',
        description: 'Comma-separated groups allowed to claim the task.',
        group: 'assignment',
        type: 'String',
        value: defaultManualTaskCandidateGroup,
        constraints: { notEmpty: true },
        binding: { type: 'zeebe:assignmentDefinition', property: 'candidateGroups' },
      },
    ],
  };
}

/** Every non-job template (without version numbers). */
export function buildEventTemplates(): UnversionedTemplate[] {
  return [awaitCallback(), falloutRepaired(), cancelBoundary(), timeoutBoundary(), reminderBoundary(), manualTask()];
}
