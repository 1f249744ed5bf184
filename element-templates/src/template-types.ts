/**
 * The subset of the Camunda 8 element-template format (`@camunda/zeebe-element-templates-json-schema`)
 * that our generator writes. The official JSON schema stays the judge: a test validates every
 * generated file against it.
 */

/** `$schema` of a Camunda 8 element template, as the schema package documents it. */
export const elementTemplateSchemaUrl =
  'https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json';

/** Camunda versions our templates and lint rules target (docs/architecture.md §3: 8.8). */
export const camundaEngineRange = '^8.8';

/** Where a property writes its value in the BPMN XML. */
export type TemplateBinding =
  | { type: 'zeebe:taskDefinition'; property: 'type' | 'retries' }
  | { type: 'zeebe:input'; name: string }
  | { type: 'zeebe:output'; source: string }
  | { type: 'zeebe:taskHeader'; key: string }
  | { type: 'zeebe:property'; name: string }
  | { type: 'zeebe:userTask' }
  | { type: 'zeebe:formDefinition'; property: 'formId' }
  | { type: 'zeebe:assignmentDefinition'; property: 'candidateGroups' }
  | { type: 'bpmn:Message#property'; name: 'name' }
  | { type: 'bpmn:Message#zeebe:subscription#property'; name: 'correlationKey' }
  | { type: 'bpmn:TimerEventDefinition#property'; name: 'timeDuration' }
  | { type: 'property'; name: string };

/** A property condition, as the template format spells it. */
export type TemplatePropertyCondition =
  | { property: string; equals: string | boolean }
  | { property: string; oneOf: string[] };

/** One property of an element template. */
export interface TemplateProperty {
  id?: string;
  label?: string;
  description?: string;
  tooltip?: string;
  group?: string;
  type: 'String' | 'Text' | 'Hidden' | 'Dropdown' | 'Boolean' | 'Number';
  value?: string | boolean;
  choices?: { name: string; value: string }[];
  feel?: 'required' | 'optional' | 'static';
  optional?: boolean;
  editable?: boolean;
  constraints?: { notEmpty?: boolean; pattern?: { value: string; message: string } };
  condition?: TemplatePropertyCondition;
  binding: TemplateBinding;
}

/** A whole element template, keys in the order they are written. */
export interface ElementTemplate {
  $schema: string;
  name: string;
  id: string;
  description: string;
  documentationRef?: string;
  version: number;
  engines: { camunda: string };
  category: { id: string; name: string };
  appliesTo: string[];
  elementType: { value: string; eventDefinition?: string };
  groups: { id: string; label: string }[];
  properties: TemplateProperty[];
}

/** A template before the version step gives it its number. */
export type UnversionedTemplate = Omit<ElementTemplate, 'version'>;

/** All our templates share one category in the Modeler's template chooser. */
export const templateCategory = { id: 'fulfillment-pack', name: 'Fulfillment Pack' };
