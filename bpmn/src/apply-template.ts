/**
 * Applies one of our element templates to an element the way Camunda Modeler does: every
 * property whose condition holds writes its binding, editable properties may be given another
 * value, and the rest keep the template's value. The result is the list of bindings, not XML, so
 * the model builder and the test that checks the model against the templates share one reading.
 */
import type { ElementTemplate, TemplateProperty } from '../../element-templates/src/template-types';

/** A FEEL input or output mapping. */
export interface IoParameter {
  source: string;
  target: string;
}

/** The Zeebe extension values one template gives an element. */
export interface TemplateBindings {
  taskType?: string;
  retries?: string;
  inputs: IoParameter[];
  outputs: IoParameter[];
  headers: { key: string; value: string }[];
  properties: { name: string; value: string }[];
  messageName?: string;
  correlationKey?: string;
  timeDuration?: string;
  userTask: boolean;
  formId?: string;
  candidateGroups?: string;
}

/** Thrown when a model asks a template for something the Modeler would not allow. */
export class TemplateApplicationError extends Error {
  override readonly name = 'TemplateApplicationError';
}

function conditionHolds(property: TemplateProperty, values: ReadonlyMap<string, string>): boolean {
  const condition = property.condition;
  if (!condition) return true;
  const actual = values.get(condition.property);
  if ('equals' in condition) return actual === String(condition.equals);
  return actual !== undefined && condition.oneOf.includes(actual);
}

/** Values of every property after the overrides, keyed by property id. */
function effectiveValues(template: ElementTemplate, overrides: Readonly<Record<string, string>>): Map<string, string> {
  const known = new Set(template.properties.map((property) => property.id).filter(Boolean));
  for (const id of Object.keys(overrides)) {
    if (!known.has(id)) throw new TemplateApplicationError(`Template ${template.id} has no property ${id}`);
  }
  const values = new Map<string, string>();
  for (const property of template.properties) {
    if (!property.id) continue;
    const override = overrides[property.id];
    if (override !== undefined && (property.type === 'Hidden' || property.editable === false)) {
      throw new TemplateApplicationError(`Property ${property.id} of ${template.id} is not editable`);
    }
    if (override !== undefined && property.choices && !property.choices.some((choice) => choice.value === override)) {
      throw new TemplateApplicationError(`${override} is not a choice of ${property.id} in ${template.id}`);
    }
    values.set(property.id, override ?? String(property.value ?? ''));
  }
  return values;
}

/**
 * The bindings `template` writes with `overrides` (property id -> value). An optional property
 * left empty writes nothing, as in the Modeler.
 */
export function applyTemplate(template: ElementTemplate, overrides: Readonly<Record<string, string>> = {}): TemplateBindings {
  const values = effectiveValues(template, overrides);
  const bindings: TemplateBindings = { inputs: [], outputs: [], headers: [], properties: [], userTask: false };
  for (const property of template.properties) {
    if (!conditionHolds(property, values)) continue;
    const value = property.id ? (values.get(property.id) ?? '') : String(property.value ?? '');
    if (value === '' && property.optional) continue;
    const binding = property.binding;
    switch (binding.type) {
      case 'zeebe:taskDefinition':
        if (binding.property === 'type') bindings.taskType = value;
        else bindings.retries = value;
        break;
      case 'zeebe:input':
        bindings.inputs.push({ source: value, target: binding.name });
        break;
      case 'zeebe:output':
        bindings.outputs.push({ source: binding.source, target: value });
        break;
      case 'zeebe:taskHeader':
        bindings.headers.push({ key: binding.key, value });
        break;
      case 'zeebe:property':
        bindings.properties.push({ name: binding.name, value });
        break;
      case 'zeebe:userTask':
        bindings.userTask = true;
        break;
      case 'zeebe:formDefinition':
        bindings.formId = value;
        break;
      case 'zeebe:assignmentDefinition':
        bindings.candidateGroups = value;
        break;
      case 'bpmn:Message#property':
        bindings.messageName = value;
        break;
      case 'bpmn:Message#zeebe:subscription#property':
        bindings.correlationKey = value;
        break;
      case 'bpmn:TimerEventDefinition#property':
        bindings.timeDuration = value;
        break;
      case 'property':
        throw new TemplateApplicationError(`Plain property binding ${binding.name} is not used by our templates`);
    }
  }
  return bindings;
}
