/**
 * Turns a block recipe into shapes and connections through bpmn-js modeling. Meant to run inside
 * the `fulfillment.insertBlock` command (see insert-block-handler.ts), so that every modeling call
 * here becomes part of that one command-stack entry.
 */
import type { BpmnFactory, Bounds, Canvas, ElementFactory, ElementTemplates, Modeling, Point, Shape } from '../host-services';
import type { TemplateCatalog } from '../templates/template-catalog';
import { applyTemplateToShape } from '../templates/apply-to-shape';
import type { BlockRecipe, RecipeConnection, RecipeNode } from './block-recipes';
import { appendToKey } from './block-recipes';
import { findFreeOffset, union } from './free-space';

/** Where and how to insert a block. */
export interface InsertOptions {
  /** Centre of the block's entry element. */
  position?: Point;
  /** Element the block follows (a sequence flow from it) or, for compensation, attaches to. */
  appendTo?: Shape;
  /** Container to insert into (a process, participant or expanded subprocess). */
  parent?: Shape;
}

/** The host services building needs. */
export interface BuildServices {
  modeling: Modeling;
  elementFactory: ElementFactory;
  bpmnFactory: BpmnFactory;
  canvas: Canvas;
  catalog: TemplateCatalog;
  elementTemplates?: ElementTemplates;
}

const gapAfterAppendTo = 80;

function defaultSize(node: RecipeNode): { width: number; height: number } {
  if (node.size) return node.size;
  if (node.type.endsWith('Event')) return { width: 36, height: 36 };
  if (node.type.endsWith('Gateway')) return { width: 50, height: 50 };
  return { width: 100, height: 80 };
}

const centredBox = (at: Point, size: { width: number; height: number }): Bounds => ({ x: at.x - size.width / 2, y: at.y - size.height / 2, ...size });

const centre = (shape: Bounds): Point => ({ x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 });

/** Where a flow leaves or enters `bounds` when its next point is `toward`. */
function dock(bounds: Bounds, toward: Point): Point {
  if (toward.x > bounds.x && toward.x < bounds.x + bounds.width) return { x: toward.x, y: toward.y < bounds.y ? bounds.y : bounds.y + bounds.height };
  return { x: toward.x < bounds.x ? bounds.x : bounds.x + bounds.width, y: toward.y };
}

function isAncestor(candidate: Shape, of: Shape): boolean {
  for (let current: Shape | undefined = of; current; current = current.parent) if (current === candidate) return true;
  return false;
}

/** Builds one block; returns every shape and connection it created. */
export function buildBlock(recipe: BlockRecipe, options: InsertOptions, services: BuildServices): Shape[] {
  const { modeling, elementFactory, bpmnFactory, canvas } = services;
  const host = options.appendTo;
  if (recipe.attachesToHost && (!host || !host.businessObject.$instanceOf('bpmn:Activity'))) {
    throw new Error(`The ${recipe.id} block attaches to a task: pass appendTo (the task to compensate)`);
  }
  const parent = options.parent ?? (host && !host.labelTarget ? host.parent : undefined) ?? canvas.getRootElement();

  // Layout: recipe coordinates -> canvas coordinates, shifted until nothing is underneath.
  const placed = recipe.nodes.filter((node) => !node.attachTo);
  const recipeBox = union(placed.map((node) => centredBox(node.at, defaultSize(node))));
  const entry = recipe.nodes.find((node) => node.key === recipe.entry);
  let origin: Point;
  if (recipe.attachesToHost && host) {
    origin = { x: host.x + host.width / 2 + 60 - placed[0]!.at.x, y: host.y + host.height + 90 - placed[0]!.at.y };
  } else if (options.position) {
    const anchor = entry?.at ?? centre(recipeBox);
    origin = { x: options.position.x - anchor.x, y: options.position.y - anchor.y };
  } else if (host) {
    const anchor = entry ? entry.at : centre(recipeBox);
    const entryWidth = entry ? defaultSize(entry).width : recipeBox.width;
    origin = { x: host.x + host.width + gapAfterAppendTo + entryWidth / 2 - anchor.x, y: host.y + host.height / 2 - anchor.y };
  } else {
    const siblings = (parent.children ?? []).filter((child) => !child.waypoints && !child.labelTarget);
    const right = siblings.length > 0 ? Math.max(...siblings.map((child) => child.x + child.width)) + 100 : 200;
    const top = siblings.length > 0 ? Math.min(...siblings.map((child) => child.y)) : 100;
    origin = { x: right - recipeBox.x, y: top - recipeBox.y };
  }
  const occupied = (parent.children ?? []).filter((child) => !child.waypoints && !child.labelTarget && !isAncestor(child, parent)).map((child) => ({ x: child.x, y: child.y, width: child.width, height: child.height }));
  const box = { ...recipeBox, x: recipeBox.x + origin.x, y: recipeBox.y + origin.y };
  const shift = findFreeOffset(box, occupied, recipe.attachesToHost ? 'down' : 'right');
  const toCanvas = (point: Point): Point => ({ x: Math.round(point.x + origin.x + shift.x), y: Math.round(point.y + origin.y + shift.y) });

  const shapes = new Map<string, Shape>();
  const created: Shape[] = [];
  const shapeOf = (key: string): Shape => {
    if (key === appendToKey) {
      const target = host ?? shapes.get(recipe.entry ?? '');
      if (!target) throw new Error(`Block ${recipe.id} needs an element to connect to`);
      return target;
    }
    const shape = shapes.get(key);
    if (!shape) throw new Error(`Block ${recipe.id} has no element ${key}`);
    return shape;
  };

  for (const node of recipe.nodes) {
    const businessObject = bpmnFactory.create(node.type, {
      ...(node.name ? { name: node.name } : {}),
      ...(node.isForCompensation ? { isForCompensation: true } : {}),
      ...(node.cancelActivity === false ? { cancelActivity: false } : {}),
    });
    const shape = elementFactory.createShape({
      type: node.type,
      businessObject,
      ...(node.eventDefinition ? { eventDefinitionType: node.eventDefinition } : {}),
      ...(node.type === 'bpmn:SubProcess' ? { isExpanded: true, ...node.size } : {}),
    });
    let added: Shape;
    if (node.attachTo) {
      const attachHost = shapeOf(node.attachTo);
      const position = { x: attachHost.x + attachHost.width * (node.attachAt ?? 0.5), y: attachHost.y + attachHost.height };
      added = modeling.createShape(shape, position, attachHost, { attach: true });
    } else {
      added = modeling.createShape(shape, toCanvas(node.at), node.parent ? shapeOf(node.parent) : parent);
    }
    if (node.multiInstance) addMultiInstance(added, node.multiInstance, services);
    if (node.localVariables) addLocalVariables(added, node.localVariables, services);
    if (node.template) {
      const template = services.catalog.latest(node.template);
      added = applyTemplateToShape(added, template, node.values ?? {}, services);
    }
    shapes.set(node.key, added);
    created.push(added);
  }

  for (const connection of recipe.connections) created.push(connect(connection, shapeOf(connection.from), shapeOf(connection.to), toCanvas, services));
  if (host && recipe.entry && !recipe.attachesToHost) {
    created.push(modeling.connect(host, shapeOf(recipe.entry), { type: 'bpmn:SequenceFlow' }));
  }
  return created;
}

function connect(connection: RecipeConnection, source: Shape, target: Shape, toCanvas: (point: Point) => Point, services: BuildServices): Shape {
  const { modeling, bpmnFactory } = services;
  if (connection.association) return modeling.connect(source, target, { type: 'bpmn:Association', associationDirection: 'One' });
  const attrs: Record<string, unknown> = { type: 'bpmn:SequenceFlow' };
  if (connection.via) {
    const via = connection.via.map(toCanvas);
    // A target outside the recipe (the appendTo element of a retry loop) may sit anywhere: bend
    // once more above or below its centre, so the flow enters it through its top or bottom.
    const last = via[via.length - 1]!;
    const aligned = last.x > target.x && last.x < target.x + target.width;
    if (!aligned && (last.y < target.y || last.y > target.y + target.height)) via.push({ x: Math.round(target.x + target.width / 2), y: last.y });
    attrs.waypoints = [dock(source, via[0]!), ...via, dock(target, via[via.length - 1]!)];
  }
  const flow = modeling.connect(source, target, attrs);
  const properties: Record<string, unknown> = {};
  if (connection.name) properties.name = connection.name;
  if (connection.condition) properties.conditionExpression = bpmnFactory.create('bpmn:FormalExpression', { body: connection.condition });
  if (Object.keys(properties).length > 0) modeling.updateProperties(flow, properties);
  if (connection.isDefault) modeling.updateProperties(source, { default: flow.businessObject });
  return flow;
}

function addMultiInstance(shape: Shape, multiInstance: { inputCollection: string; inputElement: string }, services: BuildServices): void {
  const { bpmnFactory, modeling } = services;
  const zeebeLoop = bpmnFactory.create('zeebe:LoopCharacteristics', multiInstance);
  const loopCharacteristics = bpmnFactory.create('bpmn:MultiInstanceLoopCharacteristics', {
    isSequential: false,
    extensionElements: bpmnFactory.create('bpmn:ExtensionElements', { values: [zeebeLoop] }),
  });
  modeling.updateProperties(shape, { loopCharacteristics });
}

/** Declares variables local (null) on the element, so parallel iterations never share them. */
function addLocalVariables(shape: Shape, variables: string[], services: BuildServices): void {
  const { bpmnFactory, modeling } = services;
  const inputParameters = variables.map((target) => bpmnFactory.create('zeebe:Input', { source: '=null', target }));
  const ioMapping = bpmnFactory.create('zeebe:IoMapping', { inputParameters });
  modeling.updateProperties(shape, { extensionElements: bpmnFactory.create('bpmn:ExtensionElements', { values: [ioMapping] }) });
}
