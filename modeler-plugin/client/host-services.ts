/**
 * The few host services the plugin uses, typed as narrowly as it uses them. They come from the
 * Modeler's injector (bpmn-js, diagram-js, bpmn-js-element-templates); the plugin never bundles
 * its own copy, so these are interfaces, not imports.
 */
import type { ElementTemplate } from '../../element-templates/src/template-types';
import type { ModdleElement } from './templates/template-values';

/** Bounds of a shape on the canvas. */
export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A diagram-js point. */
export interface Point {
  x: number;
  y: number;
}

/** A diagram-js shape or connection of bpmn-js. */
export interface Shape extends Bounds {
  id: string;
  type: string;
  businessObject: ModdleElement;
  parent?: Shape;
  children?: Shape[];
  host?: Shape;
  attachers?: Shape[];
  labelTarget?: Shape;
  waypoints?: Point[];
  incoming?: Shape[];
  outgoing?: Shape[];
}

/** bpmn-js Modeling, the calls the plugin makes. */
export interface Modeling {
  createShape(shape: Shape, position: Point, parent: Shape, hints?: Record<string, unknown>): Shape;
  connect(source: Shape, target: Shape, attrs?: Record<string, unknown>, hints?: Record<string, unknown>): Shape;
  updateProperties(element: Shape, properties: Record<string, unknown>): void;
  updateModdleProperties(element: Shape, moddleElement: ModdleElement, properties: Record<string, unknown>): void;
}

/** bpmn-js ElementFactory. */
export interface ElementFactory {
  createShape(attrs: Record<string, unknown>): Shape;
}

/** bpmn-js BpmnFactory. */
export interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): ModdleElement;
}

/** diagram-js CommandStack. */
export interface CommandStack {
  execute(command: string, context: Record<string, unknown>): void;
  registerHandler(command: string, handler: unknown): void;
}

/** diagram-js Canvas. */
export interface Canvas {
  getRootElement(): Shape;
}

/** diagram-js ElementRegistry. */
export interface ElementRegistry {
  filter(fn: (element: Shape) => boolean): Shape[];
  get(id: string): Shape | undefined;
}

/** diagram-js EventBus. */
export interface EventBus {
  on(event: string | string[], callback: (event: Record<string, unknown>) => unknown): void;
  on(event: string | string[], priority: number, callback: (event: Record<string, unknown>) => unknown): void;
}

/** diagram-js Injector. */
export interface Injector {
  get<T>(name: string, strict?: boolean): T;
}

/** The element templates service of bpmn-js-element-templates (Camunda 8 flavour). */
export interface ElementTemplates {
  applyTemplate(element: Shape, template: ElementTemplate): Shape;
  getAll(): ElementTemplate[];
  set(templates: ElementTemplate[]): void;
}

/** diagram-js EditorActions. */
export interface EditorActions {
  register(actions: Record<string, (options?: unknown) => unknown>): void;
  isRegistered(action: string): boolean;
}
