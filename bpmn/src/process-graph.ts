/**
 * A small, typed picture of a BPMN process with its diagram: flow nodes with absolute bounds in
 * their plane, sequence flows with waypoints, nested scopes. The model file is written from it
 * (to-bpmn-xml.ts); the layout is explicit so a diff of the model shows what moved.
 */
import type { IoParameter, TemplateBindings } from './apply-template';

/** A point of the diagram. */
export interface Point {
  x: number;
  y: number;
}

/** A rectangle of the diagram (top-left corner, size). */
export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The BPMN element types the model uses. */
export type FlowNodeType =
  | 'startEvent'
  | 'endEvent'
  | 'serviceTask'
  | 'userTask'
  | 'exclusiveGateway'
  | 'subProcess'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent';

/** Event definitions the model uses. */
export type EventDefinition =
  | { kind: 'message'; messageName: string; correlationKey: string }
  | { kind: 'timer'; timeDuration: string }
  | { kind: 'compensate' };

/** Parallel or sequential multi-instance over a FEEL collection. */
export interface MultiInstance {
  sequential: boolean;
  inputCollection: string;
  inputElement: string;
  /** FEEL condition checked after each instance completed; when true, the remaining items are not run. */
  completionCondition?: string;
}

/** One flow node, with its diagram bounds. */
export interface FlowNode {
  id: string;
  type: FlowNodeType;
  name?: string;
  bounds: Bounds;
  /** Set when the element is one of our building blocks. */
  template?: { id: string; version: number; bindings: TemplateBindings };
  /** Input mappings of the element itself (e.g. a subprocess declaring local variables). */
  inputs?: IoParameter[];
  multiInstance?: MultiInstance;
  eventDefinition?: EventDefinition;
  attachedTo?: string;
  cancelActivity?: boolean;
  isForCompensation?: boolean;
  /** Inner scope of a subprocess. */
  scope?: Scope;
  /** A collapsed subprocess is drawn as a box; its content gets its own diagram plane. */
  collapsed?: boolean;
  /** External label of an event or gateway. */
  labelBounds?: Bounds;
  documentation?: string;
}

/** One sequence flow, with its waypoints. */
export interface SequenceFlow {
  id: string;
  source: string;
  target: string;
  name?: string;
  /** FEEL condition, `=`-prefixed. */
  condition?: string;
  isDefault?: boolean;
  waypoints: Point[];
  /** Label of a named flow, beside the start of its own part (flow-labels.ts). */
  labelBounds?: Bounds;
}

/** An association from a compensation boundary to its handler. */
export interface Association {
  id: string;
  source: string;
  target: string;
  waypoints: Point[];
}

/** The content of a process or subprocess. */
export interface Scope {
  nodes: FlowNode[];
  flows: SequenceFlow[];
  associations: Association[];
}

/** Default sizes, as bpmn-js draws them. */
export const shapeSize = {
  event: { width: 36, height: 36 },
  gateway: { width: 50, height: 50 },
  task: { width: 100, height: 80 },
} as const;

/** Centre of a rectangle. */
export function centre(bounds: Bounds): Point {
  return { x: bounds.x + bounds.width / 2, y: bounds.y + bounds.height / 2 };
}

/** True when two rectangles share any area. */
export function intersects(a: Bounds, b: Bounds): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** True when `inner` lies inside `outer`. */
export function contains(outer: Bounds, inner: Bounds): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}
