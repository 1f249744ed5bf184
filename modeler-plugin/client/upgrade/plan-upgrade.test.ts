import { describe, expect, it } from 'vitest';
import type { ElementTemplate, TemplateProperty } from '../../../element-templates/src/template-types';
import type { TemplateValues, UpgradeChanges } from './plan-upgrade';
import { planUpgrade } from './plan-upgrade';

const template = (version: number, properties: TemplateProperty[]): ElementTemplate => ({
  $schema: 'https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json',
  name: 'Test task',
  id: 'fulfillment-pack.test-task',
  description: 'A template of the tests',
  version,
  engines: { camunda: '^8.8' },
  category: { id: 'fulfillment-pack', name: 'Fulfillment Pack' },
  appliesTo: ['bpmn:Task'],
  elementType: { value: 'bpmn:ServiceTask' },
  groups: [],
  properties,
});

const jobType = (value: string): TemplateProperty => ({ type: 'Hidden', value, binding: { type: 'zeebe:taskDefinition', property: 'type' } });
const retries = (value: string): TemplateProperty => ({ id: 'job.retries', type: 'String', value, binding: { type: 'zeebe:taskDefinition', property: 'retries' } });
const hiddenInput = (value: string): TemplateProperty => ({ id: 'input.tenantId', type: 'Hidden', value, binding: { type: 'zeebe:input', name: 'tenantId' } });
const output = (id: string, value: string): TemplateProperty => ({ id, type: 'String', value, binding: { type: 'zeebe:output', source: `=${value}` } });
const owner = (value: string, choices: string[]): TemplateProperty => ({
  id: 'header.ownerSystem',
  type: 'Dropdown',
  value,
  choices: choices.map((choice) => ({ name: choice || '(not set)', value: choice })),
  optional: true,
  binding: { type: 'zeebe:taskHeader', key: 'ownerSystem' },
});

const phaseSwitch = (): TemplateProperty => ({ id: 'header.ownerSystem.set', type: 'Boolean', value: false, binding: { type: 'zeebe:property', name: 'fulfillment:ownerSystemSet' } });

const none: UpgradeChanges = { kept: [], added: [], removed: [], updated: [], needsDecision: [] };

interface Case {
  name: string;
  old: TemplateProperty[];
  next: TemplateProperty[];
  current: TemplateValues;
  values: TemplateValues;
  changes: Partial<UpgradeChanges>;
}

const cases: Case[] = [
  {
    name: 'an analyst value of a property both versions have is kept',
    old: [jobType('run'), retries('3')],
    next: [jobType('run'), retries('3')],
    current: { 'job.retries': '7' },
    values: { 'job.retries': '7' },
    changes: { kept: [{ id: 'job.retries', value: '7' }] },
  },
  {
    name: 'an untouched default follows the new default',
    old: [retries('3')],
    next: [retries('5')],
    current: { 'job.retries': '3' },
    values: { 'job.retries': '5' },
    changes: { updated: [{ id: 'job.retries', from: '3', to: '5' }] },
  },
  {
    name: 'a property new in this version arrives with its default',
    old: [retries('3')],
    next: [retries('3'), output('output.taskReminder', 'taskReminder')],
    current: { 'job.retries': '3' },
    values: { 'job.retries': '3', 'output.taskReminder': 'taskReminder' },
    changes: { added: [{ id: 'output.taskReminder', value: 'taskReminder', default: 'taskReminder' }] },
  },
  {
    name: 'a removed property with its default value is removed',
    old: [retries('3'), output('output.legacy', 'legacy')],
    next: [retries('3')],
    current: { 'job.retries': '3', 'output.legacy': 'legacy' },
    values: { 'job.retries': '3' },
    changes: { removed: [{ id: 'output.legacy', value: 'legacy' }] },
  },
  {
    name: 'a removed property with an analyst value needs a decision',
    old: [retries('3'), output('output.legacy', 'legacy')],
    next: [retries('3')],
    current: { 'job.retries': '3', 'output.legacy': 'myLegacy' },
    values: { 'job.retries': '3' },
    changes: { needsDecision: [{ id: 'output.legacy', value: 'myLegacy', reason: 'property-removed' }] },
  },
  {
    name: 'an analyst choice the dropdown no longer offers needs a decision and gets the new default',
    old: [owner('inventory', ['inventory', 'telephony'])],
    next: [owner('', ['', 'inventory'])],
    current: { 'header.ownerSystem': 'telephony' },
    values: { 'header.ownerSystem': '' },
    changes: { needsDecision: [{ id: 'header.ownerSystem', value: 'telephony', reason: 'choice-removed', applied: '' }] },
  },
  {
    name: 'a dropdown keeps a set value it still offers, even the old default',
    old: [owner('inventory', ['inventory', 'shipping'])],
    next: [owner('', ['', 'inventory', 'shipping'])],
    current: { 'header.ownerSystem': 'inventory' },
    values: { 'header.ownerSystem': 'inventory' },
    changes: {},
  },
  {
    name: 'a hidden value is a constant of the new version',
    old: [hiddenInput('=tenant')],
    next: [hiddenInput('=tenantId')],
    current: { 'input.tenantId': '=tenant' },
    values: { 'input.tenantId': '=tenantId' },
    changes: { updated: [{ id: 'input.tenantId', from: '=tenant', to: '=tenantId' }] },
  },
  {
    name: 'a value the element does not hold counts as the old default',
    old: [retries('3')],
    next: [retries('4')],
    current: {},
    values: { 'job.retries': '4' },
    changes: { updated: [{ id: 'job.retries', from: '3', to: '4' }] },
  },
  {
    name: 'a new switch guarding a value the element holds is turned on',
    old: [owner('', ['', 'inventory'])],
    next: [phaseSwitch(), { ...owner('inventory', ['inventory']), condition: { property: 'header.ownerSystem.set', equals: true } }],
    current: { 'header.ownerSystem': 'inventory' },
    values: { 'header.ownerSystem.set': 'true', 'header.ownerSystem': 'inventory' },
    changes: { kept: [{ id: 'header.ownerSystem', value: 'inventory' }], added: [{ id: 'header.ownerSystem.set', value: 'true', default: 'false' }] },
  },
  {
    name: 'a new switch guarding a value the element does not hold stays off',
    old: [owner('', ['', 'inventory'])],
    next: [phaseSwitch(), { ...owner('inventory', ['inventory']), condition: { property: 'header.ownerSystem.set', equals: true } }],
    current: {},
    values: { 'header.ownerSystem.set': 'false', 'header.ownerSystem': 'inventory' },
    changes: { added: [{ id: 'header.ownerSystem.set', value: 'false', default: 'false' }] },
  },
];

describe('planUpgrade', () => {
  it.each(cases)('given $name, when planned, then values and report say so', ({ old, next, current, values, changes }) => {
    const plan = planUpgrade(template(1, old), template(2, next), current);
    expect(plan.values).toEqual(values);
    expect(plan.changes).toEqual({ ...none, ...changes });
  });

  it('given two different templates, when planned, then it refuses', () => {
    const other = { ...template(2, []), id: 'fulfillment-pack.other' };
    expect(() => planUpgrade(template(1, []), other, {})).toThrow(/another template/);
  });
});
