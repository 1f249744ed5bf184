/**
 * Puts a template with given values on a shape on the canvas. Where the Modeler's element
 * templates service can take the template (it applies to the element's type), it does the work,
 * so the properties panel knows the element exactly as if the analyst had picked the template;
 * otherwise (no such service, or a template the model deliberately uses beyond its `appliesTo`,
 * like fallout-repaired on a boundary) the shared writer does it, through modeling commands.
 */
import type { ElementTemplate } from '../../../element-templates/src/template-types';
import type { BpmnFactory, ElementTemplates, Modeling, Shape } from '../host-services';
import type { ModdleOps } from './template-values';
import { withValues, writeTemplateValues } from './template-values';
import type { TemplateValues } from '../upgrade/plan-upgrade';

/** Services the application needs; `elementTemplates` is optional. */
export interface TemplateHost {
  modeling: Modeling;
  bpmnFactory: BpmnFactory;
  elementTemplates?: ElementTemplates;
}

/** Moddle writes as modeling commands on `shape`, so they undo with the enclosing command. */
export function commandOps(shape: Shape, host: TemplateHost): ModdleOps {
  return {
    create: (type, attrs) => host.bpmnFactory.create(type, attrs),
    set: (target, properties) => host.modeling.updateModdleProperties(shape, target, properties),
  };
}

function appliesTo(template: ElementTemplate, shape: Shape): boolean {
  const type = template.elementType.value;
  if (shape.type !== type) return false;
  const wanted = template.elementType.eventDefinition;
  if (!wanted) return true;
  const definitions = (shape.businessObject.get('eventDefinitions') as { $type: string }[] | undefined) ?? [];
  return definitions.some((definition) => definition.$type === wanted);
}

/**
 * Applies `template` with `values` (property id -> value; others keep the template's default)
 * and, when `previous` versions are given, cleans what they wrote. Returns the shape (the host
 * may replace it, though our shapes are created with the template's type to avoid that).
 */
export function applyTemplateToShape(shape: Shape, template: ElementTemplate, values: Readonly<TemplateValues>, host: TemplateHost, previous: ElementTemplate[] = []): Shape {
  if (host.elementTemplates && appliesTo(template, shape)) {
    return host.elementTemplates.applyTemplate(shape, withValues(template, values));
  }
  writeTemplateValues(shape.businessObject, template, values, commandOps(shape, host), previous);
  return shape;
}
