/**
 * Builds a {@link Scope} from our templates with an explicit layout: callers place elements by
 * their centre, the builder sizes them as bpmn-js does, docks and routes sequence flows
 * orthogonally, and sizes expanded subprocesses around their content. Element ids are checked
 * for uniqueness across the whole model.
 */
import { applyTemplate } from './apply-template';
import { placeFlowLabels } from './flow-labels';
import type { IoParameter } from './apply-template';
import { shapeSize } from './process-graph';
import type { Bounds, EventDefinition, FlowNode, FlowNodeType, MultiInstance, Point, Scope } from './process-graph';
import type { ElementTemplate } from '../../element-templates/src/template-types';

/** Looks up a generated template by id. */
export type TemplateLookup = (id: string) => ElementTemplate;

const subProcessPadding = { left: 50, top: 50, right: 50, bottom: 50 };
const labelWidth = 100;
const labelHeight = 27;

const templateElementTypes: Record<string, FlowNodeType> = {
  'bpmn:ServiceTask': 'serviceTask',
  'bpmn:UserTask': 'userTask',
  'bpmn:IntermediateCatchEvent': 'intermediateCatchEvent',
  'bpmn:BoundaryEvent': 'boundaryEvent',
};

function boundsAround(at: Point, size: { width: number; height: number }): Bounds {
  return { x: at.x - size.width / 2, y: at.y - size.height / 2, width: size.width, height: size.height };
}

/** Where an external label goes relative to its shape. */
export type LabelPlacement = 'above' | 'below' | 'aboveLeft' | 'aboveRight' | 'right';

function placeLabel(bounds: Bounds, placement: LabelPlacement): Bounds {
  const centreX = bounds.x + bounds.width / 2;
  if (placement === 'below') return { x: centreX - labelWidth / 2, y: bounds.y + bounds.height + 6, width: labelWidth, height: labelHeight };
  if (placement === 'aboveRight') return { x: centreX + 6, y: bounds.y - labelHeight - 20, width: labelWidth, height: labelHeight };
  if (placement === 'right') return { x: bounds.x + bounds.width + 6, y: bounds.y + bounds.height / 2 - labelHeight / 2, width: labelWidth, height: labelHeight };
  if (placement === 'above') return { x: centreX - labelWidth / 2, y: bounds.y - labelHeight - 6, width: labelWidth, height: labelHeight };
  // Higher up, so the label clears a task ending just left of the gateway.
  return { x: centreX - labelWidth - 6, y: bounds.y - labelHeight - 20, width: labelWidth, height: labelHeight };
}

/** Where a flow leaves or enters `bounds` when its next point is `toward`. */
function dock(bounds: Bounds, toward: Point): Point {
  const insideHorizontally = toward.x > bounds.x && toward.x < bounds.x + bounds.width;
  if (insideHorizontally) return { x: toward.x, y: toward.y < bounds.y ? bounds.y : bounds.y + bounds.height };
  return { x: toward.x < bounds.x ? bounds.x : bounds.x + bounds.width, y: toward.y };
}

/** Options of an element placed from a template. */
export interface BlockOptions {
  /** Values of editable template properties, by property id. */
  values?: Record<string, string>;
  documentation?: string;
  isForCompensation?: boolean;
  multiInstance?: MultiInstance;
}

/** Options of a boundary event built from a template. */
export interface BoundaryOptions {
  /** Values of editable template properties, by property id. */
  values?: Record<string, string>;
  /** False for a non-interrupting boundary (the host keeps running); interrupting by default. */
  interrupting?: boolean;
}

/** Options of a subprocess. */
export interface SubProcessOptions {
  /** Draw as a box at this centre; the content gets its own plane. */
  collapsedAt?: Point;
  inputs?: IoParameter[];
  multiInstance?: MultiInstance;
  documentation?: string;
}

/** Options of a sequence flow. */
export interface FlowOptions {
  name?: string;
  condition?: string;
  isDefault?: boolean;
  /** Bend points; without them the flow is routed with one or two bends. */
  via?: Point[];
}

/** Builds one scope; nested subprocesses get their own builder sharing the id registry. */
export class ScopeBuilder {
  readonly scope: Scope = { nodes: [], flows: [], associations: [] };

  constructor(
    private readonly templates: TemplateLookup,
    private readonly registry: Map<string, FlowNode> = new Map(),
  ) {}

  /** The node with this id anywhere in the model. */
  node(id: string): FlowNode {
    const node = this.registry.get(id);
    if (!node) throw new Error(`No element ${id} in the model`);
    return node;
  }

  private add(node: FlowNode): FlowNode {
    if (this.registry.has(node.id)) throw new Error(`Duplicate element id ${node.id}`);
    this.registry.set(node.id, node);
    this.scope.nodes.push(node);
    return node;
  }

  private labelled(type: FlowNodeType, id: string, name: string | undefined, bounds: Bounds, placement: LabelPlacement = 'below'): FlowNode {
    const labelBounds = name === undefined ? undefined : placeLabel(bounds, placement);
    return { id, type, ...(name === undefined ? {} : { name }), bounds, ...(labelBounds ? { labelBounds } : {}) };
  }

  /** A none start event. */
  start(id: string, name: string | undefined, at: Point): FlowNode {
    return this.add(this.labelled('startEvent', id, name, boundsAround(at, shapeSize.event)));
  }

  /** A none end event; its label below unless `label` says otherwise. */
  end(id: string, name: string | undefined, at: Point, documentation?: string, label: LabelPlacement = 'below'): FlowNode {
    const node = this.labelled('endEvent', id, name, boundsAround(at, shapeSize.event), label);
    return this.add(documentation ? { ...node, documentation } : node);
  }

  /** An exclusive gateway; put its label where no flow leaves it. */
  gateway(id: string, name: string | undefined, at: Point, label: LabelPlacement = 'above'): FlowNode {
    return this.add(this.labelled('exclusiveGateway', id, name, boundsAround(at, shapeSize.gateway), label));
  }

  /** An intermediate throw event that compensates the completed activities of its scope. */
  compensationThrow(id: string, name: string, at: Point, label: LabelPlacement = 'below'): FlowNode {
    const node = this.labelled('intermediateThrowEvent', id, name, boundsAround(at, shapeSize.event), label);
    return this.add({ ...node, eventDefinition: { kind: 'compensate' } });
  }

  /** An element built from one of our templates, placed at its centre. */
  block(id: string, name: string, at: Point, templateId: string, options: BlockOptions = {}): FlowNode {
    const template = this.templates(templateId);
    const type = templateElementTypes[template.elementType.value];
    if (!type || type === 'boundaryEvent') throw new Error(`Template ${templateId} does not make a flow node`);
    const bindings = applyTemplate(template, options.values);
    const isEvent = type === 'intermediateCatchEvent';
    const node = this.labelled(type, id, name, boundsAround(at, isEvent ? shapeSize.event : shapeSize.task));
    if (!isEvent) delete node.labelBounds;
    return this.add({
      ...node,
      template: { id: template.id, version: template.version, bindings },
      ...(isEvent ? { eventDefinition: eventDefinitionOf(template.id, bindings) } : {}),
      ...(options.documentation ? { documentation: options.documentation } : {}),
      ...(options.isForCompensation ? { isForCompensation: true } : {}),
      ...(options.multiInstance ? { multiInstance: options.multiInstance } : {}),
    });
  }

  /**
   * A boundary event on the bottom edge of `hostId`, `offset` pixels from the host's left edge;
   * from one of our templates (interrupting unless `options.interrupting` is false), or a
   * compensation boundary when `templateId` is undefined.
   */
  boundary(id: string, name: string, hostId: string, offset: number, templateId?: string, options: BoundaryOptions = {}): FlowNode {
    const host = this.node(hostId).bounds;
    const at = { x: host.x + offset, y: host.y + host.height };
    const bounds = boundsAround(at, shapeSize.event);
    const labelBounds = { x: at.x + 20, y: at.y + 20, width: labelWidth, height: labelHeight };
    const base: FlowNode = { id, type: 'boundaryEvent', name, bounds, labelBounds, attachedTo: hostId };
    if (templateId === undefined) return this.add({ ...base, eventDefinition: { kind: 'compensate' } });
    const template = this.templates(templateId);
    const bindings = applyTemplate(template, options.values);
    return this.add({
      ...base,
      cancelActivity: options.interrupting ?? true,
      template: { id: template.id, version: template.version, bindings },
      eventDefinition: eventDefinitionOf(template.id, bindings),
    });
  }

  /**
   * An embedded subprocess. Expanded, it is sized around what `build` places (in this plane's
   * coordinates); collapsed, it is a box at `collapsedAt` and `build` lays out its own plane.
   */
  subProcess(id: string, name: string, build: (inner: ScopeBuilder) => void, options: SubProcessOptions = {}): FlowNode {
    const inner = new ScopeBuilder(this.templates, this.registry);
    build(inner);
    inner.finish();
    const bounds = options.collapsedAt ? boundsAround(options.collapsedAt, shapeSize.task) : extentOf(inner.scope);
    return this.add({
      id,
      type: 'subProcess',
      name,
      bounds,
      scope: inner.scope,
      ...(options.collapsedAt ? { collapsed: true } : {}),
      ...(options.inputs ? { inputs: options.inputs } : {}),
      ...(options.multiInstance ? { multiInstance: options.multiInstance } : {}),
      ...(options.documentation ? { documentation: options.documentation } : {}),
    });
  }

  /**
   * A sequence flow between two elements of this scope, routed orthogonally. Its label, if it is
   * named, is placed by {@link finish} once every shape it must avoid exists.
   */
  flow(id: string, sourceId: string, targetId: string, options: FlowOptions = {}): void {
    const source = this.node(sourceId);
    const target = this.node(targetId);
    const via = options.via ?? autoRoute(source, target);
    const waypoints = via.length === 0 ? straight(source, target) : [dock(source.bounds, via[0]!), ...via, dock(target.bounds, via[via.length - 1]!)];
    this.scope.flows.push({
      id,
      source: sourceId,
      target: targetId,
      waypoints,
      ...(options.name ? { name: options.name } : {}),
      ...(options.condition ? { condition: options.condition } : {}),
      ...(options.isDefault ? { isDefault: true } : {}),
    });
  }

  /**
   * The association from a compensation boundary to its handler: straight when the handler lies
   * under (or beside) the boundary, else with one bend; it never ends inside the handler.
   */
  associate(id: string, sourceId: string, targetId: string): void {
    const source = this.node(sourceId);
    const target = this.node(targetId);
    const from = centreOf(source);
    const bend = { x: from.x, y: centreOf(target).y };
    const below = from.x > target.bounds.x && from.x < target.bounds.x + target.bounds.width;
    const upwards = from.y > bend.y;
    // A handler under the boundary gets a straight line to its facing edge, never one into its middle.
    const waypoints = below
      ? [dock(source.bounds, bend), { x: from.x, y: upwards ? target.bounds.y + target.bounds.height : target.bounds.y }]
      : [dock(source.bounds, bend), bend, dock(target.bounds, bend)];
    this.scope.associations.push({ id, source: sourceId, target: targetId, waypoints });
  }

  /** Places the labels of this scope's named flows; the builder calls it for subprocesses. */
  finish(): Scope {
    placeFlowLabels(this.scope, this.registry);
    return this.scope;
  }
}

/**
 * True when one shape lies in the other's row or column, so a straight connection joins them:
 * the centre of each small shape, or of the smaller shape against a subprocess, is enough.
 */
function alignedWith(source: FlowNode, target: FlowNode): 'row' | 'column' | undefined {
  const from = centreOf(source);
  const to = centreOf(target);
  const within = (value: number, low: number, size: number) => value > low + 10 && value < low + size - 10;
  if (Math.abs(from.y - to.y) < 1) return 'row';
  if (Math.abs(from.x - to.x) < 1) return 'column';
  if (target.type === 'subProcess' && within(from.y, target.bounds.y, target.bounds.height)) return 'row';
  if (source.type === 'subProcess' && within(to.y, source.bounds.y, source.bounds.height)) return 'row';
  if (target.type === 'subProcess' && within(from.x, target.bounds.x, target.bounds.width)) return 'column';
  if (source.type === 'subProcess' && within(to.x, source.bounds.x, source.bounds.width)) return 'column';
  return undefined;
}

/** The straight connection of two aligned shapes, docked on the facing sides. */
function straight(source: FlowNode, target: FlowNode): Point[] {
  const alignment = alignedWith(source, target);
  if (!alignment) throw new Error(`${source.id} and ${target.id} share no row or column`);
  const small = source.type === 'subProcess' ? target : source;
  const line = centreOf(small);
  if (alignment === 'row') {
    const rightwards = centreOf(target).x > centreOf(source).x;
    const exit = rightwards ? source.bounds.x + source.bounds.width : source.bounds.x;
    const entry = rightwards ? target.bounds.x : target.bounds.x + target.bounds.width;
    return [{ x: exit, y: line.y }, { x: entry, y: line.y }];
  }
  const downwards = centreOf(target).y > centreOf(source).y;
  const exit = downwards ? source.bounds.y + source.bounds.height : source.bounds.y;
  const entry = downwards ? target.bounds.y : target.bounds.y + target.bounds.height;
  return [{ x: line.x, y: exit }, { x: line.x, y: entry }];
}

function centreOf(node: FlowNode): Point {
  return { x: node.bounds.x + node.bounds.width / 2, y: node.bounds.y + node.bounds.height / 2 };
}

/** Straight when aligned, else one or two bends: gateways and boundary events branch vertically, tasks bend half-way. */
function autoRoute(source: FlowNode, target: FlowNode): Point[] {
  const from = centreOf(source);
  const to = centreOf(target);
  if (alignedWith(source, target)) return [];
  if (source.type === 'exclusiveGateway' || source.type === 'boundaryEvent') return [{ x: from.x, y: to.y }];
  if (target.type === 'exclusiveGateway') return [{ x: to.x, y: from.y }];
  const sourceRight = source.bounds.x + source.bounds.width;
  const middle = sourceRight + (target.bounds.x - sourceRight) / 2;
  return [
    { x: middle, y: from.y },
    { x: middle, y: to.y },
  ];
}

function eventDefinitionOf(templateId: string, bindings: ReturnType<typeof applyTemplate>): EventDefinition {
  if (bindings.timeDuration !== undefined) return { kind: 'timer', timeDuration: bindings.timeDuration };
  if (bindings.messageName !== undefined && bindings.correlationKey !== undefined) {
    return { kind: 'message', messageName: bindings.messageName, correlationKey: bindings.correlationKey };
  }
  throw new Error(`Template ${templateId} gives no event definition`);
}

/** The rectangle around a scope's shapes, flows and labels, with the subprocess padding. */
function extentOf(scope: Scope): Bounds {
  const boxes = [
    ...scope.nodes.flatMap((node) => (node.labelBounds ? [node.bounds, node.labelBounds] : [node.bounds])),
    ...scope.flows.flatMap((flow) => (flow.labelBounds ? [flow.labelBounds] : [])),
  ];
  const points = scope.flows.flatMap((flow) => flow.waypoints);
  if (boxes.length === 0) throw new Error('An expanded subprocess needs content');
  const left = Math.min(...boxes.map((box) => box.x), ...points.map((point) => point.x));
  const top = Math.min(...boxes.map((box) => box.y), ...points.map((point) => point.y));
  const right = Math.max(...boxes.map((box) => box.x + box.width), ...points.map((point) => point.x));
  const bottom = Math.max(...boxes.map((box) => box.y + box.height), ...points.map((point) => point.y));
  return {
    x: left - subProcessPadding.left,
    y: top - subProcessPadding.top,
    width: right - left + subProcessPadding.left + subProcessPadding.right,
    height: bottom - top + subProcessPadding.top + subProcessPadding.bottom,
  };
}
