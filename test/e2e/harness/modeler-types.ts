/**
 * The bpmn-js services the e2e tests call inside the page, typed by hand with only the members the
 * tests use: the callbacks passed to `page.evaluate` run in chromium, where the Node program's
 * types of bpmn-js (which need the DOM library) do not reach.
 */
import type { Point } from './layout-check';

/** A moddle element (business object). */
export interface BusinessObject {
  id: string;
  $type: string;
  name?: string;
  get(property: string): unknown;
  eventDefinitions?: BusinessObject[];
  extensionElements?: { values: BusinessObject[] };
}

/** A diagram element: shape, connection, label or root. */
export interface DiagramElement {
  id: string;
  type: string;
  businessObject: BusinessObject;
  parent?: DiagramElement;
  host?: DiagramElement;
  attachers: DiagramElement[];
  incoming: DiagramElement[];
  outgoing: DiagramElement[];
  source?: DiagramElement;
  target?: DiagramElement;
  waypoints?: Point[];
  labelTarget?: DiagramElement;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An element template as the templates service holds it. */
export interface ElementTemplate {
  id: string;
  name: string;
  version?: number;
  appliesTo: string[];
  elementType?: { value: string; eventDefinition?: string };
}

/** The services the tests use, by name. */
export interface Services {
  elementRegistry: {
    get(id: string): DiagramElement | undefined;
    getAll(): DiagramElement[];
    filter(fn: (element: DiagramElement) => boolean): DiagramElement[];
  };
  elementTemplates: {
    get(elementOrId: DiagramElement | string, version?: number): ElementTemplate | null;
    getAll(): ElementTemplate[];
    applyTemplate(element: DiagramElement, template: ElementTemplate): DiagramElement;
  };
  elementFactory: { createShape(attrs: { type: string; isExpanded?: boolean; eventDefinitionType?: string }): DiagramElement };
  modeling: {
    createShape(shape: DiagramElement, position: Point, parent: DiagramElement, hints?: { attach?: boolean }): DiagramElement;
    connect(source: DiagramElement, target: DiagramElement): DiagramElement;
    removeElements(elements: DiagramElement[]): void;
    updateLabel(element: DiagramElement, text: string): void;
  };
  canvas: {
    getRootElement(): DiagramElement;
    getRootElements(): DiagramElement[];
    setRootElement(root: DiagramElement): void;
    zoom(level: string | number, center?: string): number;
    resized(): void;
  };
  commandStack: { undo(): void; redo(): void; canUndo(): boolean; canRedo(): boolean; _stack: { command: string; id: number }[]; _stackIdx: number };
  selection: { select(element: DiagramElement | DiagramElement[] | null): void };
  popupMenu: { open(target: unknown, providerId: string, position: Point, options?: unknown): void; isOpen(): boolean; close(): void };
  editorActions: { trigger(action: string, options?: unknown): unknown; isRegistered(action: string): boolean };
  fulfillmentBlocks: {
    list(): { id: string; label?: string }[];
    insert(blockId: string, options?: { position?: Point; appendTo?: DiagramElement; parent?: DiagramElement }): { elements: DiagramElement[] };
  };
}
