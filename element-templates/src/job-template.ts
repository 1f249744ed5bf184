/**
 * Turns a job contract into a service-task element template: the job type fixed and hidden, the
 * retries editable, one `zeebe:input` per input variable, one `zeebe:taskHeader` per header and one
 * `zeebe:output` per output variable, each labelled, grouped and FEEL-typed from the field's
 * metadata. An optional enum header becomes a "Set …" checkbox and a dropdown shown only when it
 * is ticked: the properties panel draws an optional dropdown with a blank entry, which on elements
 * where the header does not apply (a plan-level load, finalize, fallout) looked like a broken field.
 */
import { templateGroups } from '../../connector-runtime/src/jobs/job-contract';
import type { JobContract, TemplateBindingKind } from '../../connector-runtime/src/jobs/job-contract';
import { readFields } from './field-meta';
import type { FieldInfo } from './field-meta';
import { camundaEngineRange, elementTemplateSchemaUrl, templateCategory } from './template-types';
import type { TemplateProperty, UnversionedTemplate } from './template-types';

/** Property id of a field, so conditions can point at it (`input.decision`, `header.phase`). */
export function propertyId(binding: TemplateBindingKind, key: string): string {
  return `${binding}.${key}`;
}

function common(field: FieldInfo): Pick<TemplateProperty, 'id' | 'label' | 'description' | 'tooltip' | 'group' | 'condition'> {
  const { meta } = field;
  return {
    id: propertyId(meta.binding, field.key),
    label: meta.label,
    ...(field.description === undefined ? {} : { description: field.description }),
    ...(meta.tooltip === undefined ? {} : { tooltip: meta.tooltip }),
    group: meta.group,
    ...(meta.condition === undefined ? {} : { condition: conditionOf(meta.condition) }),
  };
}

function conditionOf(condition: NonNullable<FieldInfo['meta']['condition']>): TemplateProperty['condition'] {
  return 'equals' in condition
    ? { property: condition.property, equals: condition.equals }
    : { property: condition.property, oneOf: [...condition.oneOf] };
}

/**
 * Id of the checkbox that switches an optional enum header on (`header.phase.set`); the model
 * builder ticks it wherever it sets the header.
 */
export function headerSwitchId(key: string): string {
  return `${propertyId('header', key)}.set`;
}

function choicesOf(field: FieldInfo): { name: string; value: string }[] {
  return (field.choices ?? []).map((value) => ({ name: value, value }));
}

function inputProperty(field: FieldInfo): TemplateProperty {
  const { meta } = field;
  const value = meta.value ?? `=${field.key}`;
  const binding = { type: 'zeebe:input' as const, name: field.key };
  if (meta.editable === false) return { ...common(field), type: 'Hidden', value, binding };
  const feel = meta.feel ?? 'required';
  if (feel === 'static' && field.choices) {
    if (field.optional) throw new Error(`input "${field.key}": an optional enum input has no template form; make it required or a FEEL input`);
    return { ...common(field), type: 'Dropdown', value: value === `=${field.key}` ? (field.choices[0] ?? '') : value, choices: choicesOf(field), binding };
  }
  return {
    ...common(field),
    type: 'String',
    ...(feel === 'static' ? {} : { feel }),
    value,
    ...(field.optional ? {} : { constraints: { notEmpty: true } }),
    binding,
  };
}

function headerProperty(field: FieldInfo): TemplateProperty {
  const { meta } = field;
  const binding = { type: 'zeebe:taskHeader' as const, key: field.key };
  const optional = field.optional ? { optional: true } : {};
  if (meta.editable === false) return { ...common(field), type: 'Hidden', value: meta.value ?? '', binding };
  if (field.choices) {
    const value = meta.value ?? field.choices[0] ?? '';
    return { ...common(field), type: 'Dropdown', value, choices: choicesOf(field), binding };
  }
  return {
    ...common(field),
    type: 'String',
    ...(meta.value === undefined ? {} : { value: meta.value }),
    ...optional,
    ...(field.optional ? {} : { constraints: { notEmpty: true } }),
    binding,
  };
}

/**
 * An optional enum header as the panel shows it: a checkbox, unticked by default (no header
 * written, as before), and the dropdown with real choices only while it is ticked.
 */
function optionalEnumHeader(field: FieldInfo): TemplateProperty[] {
  if (field.meta.condition) throw new Error(`header "${field.key}": an optional enum header cannot carry its own condition`);
  const dropdown = headerProperty(field);
  const switchId = headerSwitchId(field.key);
  return [
    {
      id: switchId,
      label: `Set ${field.meta.label.toLowerCase()}`,
      ...(field.description === undefined ? {} : { description: `Unticked: no header. ${field.description}` }),
      group: field.meta.group,
      type: 'Boolean',
      value: false,
      binding: { type: 'zeebe:property', name: `fulfillment:${field.key}Set` },
    },
    { ...dropdown, condition: { property: switchId, equals: true } },
  ];
}

function headerProperties(field: FieldInfo): TemplateProperty[] {
  return field.choices && field.optional && field.meta.editable !== false ? optionalEnumHeader(field) : [headerProperty(field)];
}

function outputProperty(field: FieldInfo): TemplateProperty {
  const { meta } = field;
  const binding = { type: 'zeebe:output' as const, source: `=${field.key}` };
  // Output mappings replace propagation (Zeebe), so every output keeps a target variable.
  const value = typeof meta.value === 'string' ? meta.value : field.key;
  if (meta.editable === false) return { ...common(field), type: 'Hidden', value, binding };
  return { ...common(field), type: 'String', value, constraints: { notEmpty: true }, binding };
}

function checkBinding(field: FieldInfo, expected: TemplateBindingKind, jobType: string): void {
  if (field.meta.binding !== expected) {
    throw new Error(`${jobType}: field "${field.key}" is declared as ${field.meta.binding} but sits in the ${expected} schema`);
  }
}

/** Builds the service-task template of a job contract (without its version number). */
export function buildJobTemplate(contract: JobContract): UnversionedTemplate {
  const inputs = readFields(contract.input);
  const headers = readFields(contract.headers);
  const outputs = readFields(contract.output);
  inputs.forEach((field) => checkBinding(field, 'input', contract.type));
  headers.forEach((field) => checkBinding(field, 'header', contract.type));
  outputs.forEach((field) => checkBinding(field, 'output', contract.type));

  const properties: TemplateProperty[] = [
    { type: 'Hidden', value: contract.type, binding: { type: 'zeebe:taskDefinition', property: 'type' } },
    {
      id: 'job.retries',
      label: 'Retries',
      description: 'Job retries for technical failures (seed §15); business failures go to fallout instead.',
      group: 'job',
      type: 'String',
      value: String(contract.template.retries),
      constraints: { notEmpty: true, pattern: { value: '^[0-9]+$', message: 'Retries must be a whole number.' } },
      binding: { type: 'zeebe:taskDefinition', property: 'retries' },
    },
    ...inputs.map(inputProperty),
    ...headers.flatMap(headerProperties),
    ...outputs.map(outputProperty),
  ];
  const used = new Set(properties.map((property) => property.group).filter((group) => group !== undefined));
  return {
    $schema: elementTemplateSchemaUrl,
    name: contract.template.name,
    id: contract.template.id,
    description: contract.template.description,
    ...(contract.template.documentationRef === undefined ? {} : { documentationRef: contract.template.documentationRef }),
    engines: { camunda: camundaEngineRange },
    category: templateCategory,
    appliesTo: ['bpmn:Task'],
    elementType: { value: 'bpmn:ServiceTask' },
    groups: templateGroups.filter((group) => used.has(group.id)).map((group) => ({ id: group.id, label: group.label })),
    properties,
  };
}
