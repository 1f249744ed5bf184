/**
 * Reads and writes the values an element template put on a BPMN element, over bpmn-moddle
 * objects: the same code runs on a diagram parsed in Node (the upgrade CLI) and on the business
 * objects of the Modeler. Writing goes through {@link ModdleOps}, so in the Modeler every change
 * is a command (undoable) and in Node a plain assignment.
 */
import type { ElementTemplate, TemplateBinding, TemplateProperty } from '../../../element-templates/src/template-types';
import { applyTemplate } from '../../../bpmn/src/apply-template';
import type { TemplateValues } from '../upgrade/plan-upgrade';

/** The part of a bpmn-moddle element this module touches. */
export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  $instanceOf(type: string): boolean;
  get(name: string): unknown;
  [key: string]: unknown;
}

/** How to create and change moddle elements: directly in Node, through commands in the Modeler. */
export interface ModdleOps {
  create(type: string, attrs?: Record<string, unknown>): ModdleElement;
  set(target: ModdleElement, properties: Record<string, unknown>): void;
}

const list = (value: unknown): ModdleElement[] => (Array.isArray(value) ? (value as ModdleElement[]) : []);

function extension(element: ModdleElement | undefined, type: string): ModdleElement | undefined {
  const container = element?.get('extensionElements') as ModdleElement | undefined;
  return list(container?.get('values')).find((value) => value.$instanceOf(type));
}

function eventDefinition(element: ModdleElement, type: string): ModdleElement | undefined {
  return list(element.get('eventDefinitions')).find((definition) => definition.$instanceOf(type));
}

function messageOf(element: ModdleElement): ModdleElement | undefined {
  if (element.$instanceOf('bpmn:ReceiveTask')) return element.get('messageRef') as ModdleElement | undefined;
  return eventDefinition(element, 'bpmn:MessageEventDefinition')?.get('messageRef') as ModdleElement | undefined;
}

const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/** The value a binding holds on the element, or undefined when nothing is written there. */
export function readBinding(element: ModdleElement, binding: TemplateBinding): string | undefined {
  switch (binding.type) {
    case 'zeebe:taskDefinition':
      return text(extension(element, 'zeebe:TaskDefinition')?.get(binding.property));
    case 'zeebe:input':
      return text(list(extension(element, 'zeebe:IoMapping')?.get('inputParameters')).find((input) => input.get('target') === binding.name)?.get('source'));
    case 'zeebe:output':
      return text(list(extension(element, 'zeebe:IoMapping')?.get('outputParameters')).find((output) => output.get('source') === binding.source)?.get('target'));
    case 'zeebe:taskHeader':
      return text(list(extension(element, 'zeebe:TaskHeaders')?.get('values')).find((header) => header.get('key') === binding.key)?.get('value'));
    case 'zeebe:property':
      return text(list(extension(element, 'zeebe:Properties')?.get('properties')).find((property) => property.get('name') === binding.name)?.get('value'));
    case 'zeebe:userTask':
      return extension(element, 'zeebe:UserTask') ? '' : undefined;
    case 'zeebe:formDefinition':
      return text(extension(element, 'zeebe:FormDefinition')?.get('formId'));
    case 'zeebe:assignmentDefinition':
      return text(extension(element, 'zeebe:AssignmentDefinition')?.get('candidateGroups'));
    case 'bpmn:Message#property':
      return text(messageOf(element)?.get('name'));
    case 'bpmn:Message#zeebe:subscription#property':
      return text(extension(messageOf(element), 'zeebe:Subscription')?.get('correlationKey'));
    case 'bpmn:TimerEventDefinition#property': {
      const expression = eventDefinition(element, 'bpmn:TimerEventDefinition')?.get('timeDuration') as ModdleElement | undefined;
      return text(expression?.get('body'));
    }
    case 'property':
      return text(element.get(binding.name));
  }
}

function conditionHolds(property: TemplateProperty, values: Readonly<TemplateValues>): boolean {
  const condition = property.condition;
  if (!condition) return true;
  const actual = values[condition.property];
  if ('equals' in condition) return actual === String(condition.equals);
  return actual !== undefined && condition.oneOf.includes(actual);
}

/**
 * The element's values of every property (with an id) of `template` that writes something:
 * unconditional properties first, then those whose condition holds on what was read.
 */
export function readTemplateValues(element: ModdleElement, template: ElementTemplate): TemplateValues {
  const values: TemplateValues = {};
  const withId = template.properties.filter((property): property is TemplateProperty & { id: string } => Boolean(property.id));
  for (const property of withId.filter((candidate) => !candidate.condition)) {
    const value = readBinding(element, property.binding);
    if (value !== undefined) values[property.id] = value;
  }
  for (const property of withId.filter((candidate) => candidate.condition)) {
    if (!conditionHolds(property, values)) continue;
    const value = readBinding(element, property.binding);
    if (value !== undefined) values[property.id] = value;
  }
  return values;
}

/** The template's reference on the element: id and version, when any. */
export function templateReference(element: ModdleElement): { id: string; version: number | undefined } | undefined {
  const id = text(element.get('zeebe:modelerTemplate'));
  if (!id) return undefined;
  const version = Number(element.get('zeebe:modelerTemplateVersion'));
  return { id, version: Number.isFinite(version) ? version : undefined };
}

/** Overrides `applyTemplate` accepts: only editable values (hidden ones are the template's). */
function overridesOf(template: ElementTemplate, values: Readonly<TemplateValues>): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const property of template.properties) {
    if (!property.id || property.type === 'Hidden' || property.editable === false) continue;
    const value = values[property.id];
    if (value !== undefined) overrides[property.id] = value;
  }
  return overrides;
}

/** Returns `template` whose property defaults are `values`: applying it writes exactly them. */
export function withValues(template: ElementTemplate, values: Readonly<TemplateValues>): ElementTemplate {
  return {
    ...template,
    properties: template.properties.map((property) =>
      property.id && values[property.id] !== undefined && property.type !== 'Hidden' ? { ...property, value: values[property.id] } : property,
    ),
  };
}

function bindingsOfType<T extends TemplateBinding['type']>(templates: ElementTemplate[], type: T): Extract<TemplateBinding, { type: T }>[] {
  return templates.flatMap((template) => template.properties.map((property) => property.binding)).filter((binding): binding is Extract<TemplateBinding, { type: T }> => binding.type === type);
}

/**
 * Writes `values` through `template` onto the element and references the template's version.
 * Bindings that `managedBy` templates (the old version, and this one) wrote but that no longer
 * apply are removed; anything else on the element (a mapping an analyst added by hand) stays.
 */
export function writeTemplateValues(element: ModdleElement, template: ElementTemplate, values: Readonly<TemplateValues>, ops: ModdleOps, managedBy: ElementTemplate[] = []): void {
  const managed = [template, ...managedBy];
  const bindings = applyTemplate(template, overridesOf(template, values));
  const writer = new ExtensionWriter(element, ops);

  const taskDefinition = bindings.taskType !== undefined || bindings.retries !== undefined ? { type: bindings.taskType, retries: bindings.retries } : undefined;
  writer.replace('zeebe:TaskDefinition', bindingsOfType(managed, 'zeebe:taskDefinition').length > 0, taskDefinition);
  writer.replace('zeebe:FormDefinition', bindingsOfType(managed, 'zeebe:formDefinition').length > 0, bindings.formId === undefined ? undefined : { formId: bindings.formId });
  writer.replace(
    'zeebe:AssignmentDefinition',
    bindingsOfType(managed, 'zeebe:assignmentDefinition').length > 0,
    bindings.candidateGroups === undefined ? undefined : { candidateGroups: bindings.candidateGroups },
  );
  writer.replace('zeebe:UserTask', bindingsOfType(managed, 'zeebe:userTask').length > 0, bindings.userTask ? {} : undefined);

  const inputNames = new Set(bindingsOfType(managed, 'zeebe:input').map((binding) => binding.name));
  const outputSources = new Set(bindingsOfType(managed, 'zeebe:output').map((binding) => binding.source));
  writer.mergeIoMapping(
    (input) => inputNames.has(String(input.get('target'))),
    bindings.inputs.map((input) => ops.create('zeebe:Input', { source: input.source, target: input.target })),
    (output) => outputSources.has(String(output.get('source'))),
    bindings.outputs.map((output) => ops.create('zeebe:Output', { source: output.source, target: output.target })),
  );
  const headerKeys = new Set(bindingsOfType(managed, 'zeebe:taskHeader').map((binding) => binding.key));
  writer.mergeList('zeebe:TaskHeaders', 'values', (header) => headerKeys.has(String(header.get('key'))), bindings.headers.map((header) => ops.create('zeebe:Header', header)));
  const propertyNames = new Set(bindingsOfType(managed, 'zeebe:property').map((binding) => binding.name));
  writer.mergeList('zeebe:Properties', 'properties', (property) => propertyNames.has(String(property.get('name'))), bindings.properties.map((property) => ops.create('zeebe:Property', property)));

  if (bindings.messageName !== undefined || bindings.correlationKey !== undefined) writeMessage(element, bindings.messageName, bindings.correlationKey, ops);
  if (bindings.timeDuration !== undefined) {
    const timer = eventDefinition(element, 'bpmn:TimerEventDefinition');
    if (timer) ops.set(timer, { timeDuration: ops.create('bpmn:FormalExpression', { body: bindings.timeDuration }) });
  }
  ops.set(element, { 'zeebe:modelerTemplate': template.id, 'zeebe:modelerTemplateVersion': template.version });
}

function definitionsOf(element: ModdleElement): ModdleElement | undefined {
  let current: ModdleElement | undefined = element;
  while (current && !current.$instanceOf('bpmn:Definitions')) current = current.$parent;
  return current;
}

function writeMessage(element: ModdleElement, name: string | undefined, correlationKey: string | undefined, ops: ModdleOps): void {
  let message = messageOf(element);
  if (!message) {
    const definitions = definitionsOf(element);
    const holder = element.$instanceOf('bpmn:ReceiveTask') ? element : eventDefinition(element, 'bpmn:MessageEventDefinition');
    if (!definitions || !holder) return;
    message = ops.create('bpmn:Message', {});
    ops.set(definitions, { rootElements: [...list(definitions.get('rootElements')), message] });
    ops.set(holder, { messageRef: message });
  }
  if (name !== undefined) ops.set(message, { name });
  if (correlationKey !== undefined) {
    const subscription = extension(message, 'zeebe:Subscription');
    if (subscription) ops.set(subscription, { correlationKey });
    else new ExtensionWriter(message, ops).replace('zeebe:Subscription', true, { correlationKey });
  }
}

/** Replaces extension elements of one element, creating `extensionElements` on demand. */
class ExtensionWriter {
  constructor(
    private readonly element: ModdleElement,
    private readonly ops: ModdleOps,
  ) {}

  private container(): ModdleElement {
    const existing = this.element.get('extensionElements') as ModdleElement | undefined;
    if (existing) return existing;
    const created = this.ops.create('bpmn:ExtensionElements', { values: [] });
    this.ops.set(this.element, { extensionElements: created });
    return created;
  }

  private values(): ModdleElement[] {
    return list((this.element.get('extensionElements') as ModdleElement | undefined)?.get('values'));
  }

  /** Puts `attrs` as the one extension of `type` (or removes it when undefined and `managed`). */
  replace(type: string, managed: boolean, attrs: Record<string, unknown> | undefined): void {
    const existing = extension(this.element, type);
    if (attrs === undefined) {
      if (existing && managed) this.ops.set(this.container(), { values: this.values().filter((value) => value !== existing) });
      return;
    }
    const defined = Object.fromEntries(Object.entries(attrs).filter(([, value]) => value !== undefined));
    if (existing) {
      this.ops.set(existing, defined);
      return;
    }
    const container = this.container();
    this.ops.set(container, { values: [...this.values(), this.ops.create(type, defined)] });
  }

  /** Keeps the unmanaged entries of a list extension and puts `entries` after them. */
  mergeList(type: string, property: string, isManaged: (entry: ModdleElement) => boolean, entries: ModdleElement[]): void {
    const existing = extension(this.element, type);
    const kept = list(existing?.get(property)).filter((entry) => !isManaged(entry));
    const merged = [...kept, ...entries];
    if (existing && merged.length === 0) {
      this.ops.set(this.container(), { values: this.values().filter((value) => value !== existing) });
    } else if (existing) {
      this.ops.set(existing, { [property]: merged });
    } else if (merged.length > 0) {
      this.ops.set(this.container(), { values: [...this.values(), this.ops.create(type, { [property]: merged })] });
    }
  }

  /** `mergeList` for the two lists of `zeebe:IoMapping`. */
  mergeIoMapping(isManagedInput: (entry: ModdleElement) => boolean, inputs: ModdleElement[], isManagedOutput: (entry: ModdleElement) => boolean, outputs: ModdleElement[]): void {
    const existing = extension(this.element, 'zeebe:IoMapping');
    const inputParameters = [...list(existing?.get('inputParameters')).filter((entry) => !isManagedInput(entry)), ...inputs];
    const outputParameters = [...list(existing?.get('outputParameters')).filter((entry) => !isManagedOutput(entry)), ...outputs];
    if (existing && inputParameters.length + outputParameters.length === 0) {
      this.ops.set(this.container(), { values: this.values().filter((value) => value !== existing) });
    } else if (existing) {
      this.ops.set(existing, { inputParameters, outputParameters });
    } else if (inputParameters.length + outputParameters.length > 0) {
      this.ops.set(this.container(), { values: [...this.values(), this.ops.create('zeebe:IoMapping', { inputParameters, outputParameters })] });
    }
  }
}
