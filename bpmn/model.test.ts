/**
 * The committed order-fulfillment-v1 model: regenerated identically from the templates, parsed by
 * zeebe-bpmn-moddle, built only from current templates, lint-clean, laid out as bpmn-js would
 * draw it cleanly (no overlaps, flows docked on borders, branch labels beside their gateway), and
 * ending in every end state of seed §3.
 */
import { BpmnModdle, type ModdleNode } from 'bpmn-moddle';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { fulfillmentEndStates } from '../connector-runtime/src/domain/vocabulary';
import { manualTaskForms, orderFulfillmentProcessId } from '../connector-runtime/src/jobs/model-names';
import type { ElementTemplate } from '../element-templates/src/template-types';
import { modelPath, renderModel } from './src/generate-model';
import { endEventId } from './src/order-fulfillment-v1';
import { crossesInterior, gapBetween, onOutline, straddles } from './src/diagram-geometry';
import type { Outline } from './src/diagram-geometry';
import { contains, intersects } from './src/process-graph';
import type { Bounds, Point } from './src/process-graph';
import { loadTemplates } from './src/template-catalog';

const require = createRequire(import.meta.url);
const zeebeDescriptor = require('zeebe-bpmn-moddle/resources/zeebe.json') as Record<string, unknown>;

type Element = ModdleNode & { id: string; name?: string };

const committed = readFileSync(modelPath, 'utf8');
const templates = loadTemplates();
let elements: Element[] = [];
let definitions: ModdleNode;
let warnings: Array<{ message: string }> = [];

function children(element: ModdleNode): Element[] {
  const flowElements = (element['flowElements'] as Element[] | undefined) ?? [];
  const artifacts = (element['artifacts'] as Element[] | undefined) ?? [];
  return [...flowElements, ...artifacts].flatMap((child) => [child, ...children(child)]);
}

function extensionOf(element: ModdleNode, type: string): ModdleNode | undefined {
  const values = ((element['extensionElements'] as ModdleNode | undefined)?.['values'] as ModdleNode[] | undefined) ?? [];
  return values.find((value) => value.$type === type);
}

function messageOf(element: ModdleNode): ModdleNode | undefined {
  const definition = ((element['eventDefinitions'] as ModdleNode[] | undefined) ?? []).find((item) => item.$type === 'bpmn:MessageEventDefinition');
  return definition?.['messageRef'] as ModdleNode | undefined;
}

function hasTimer(element: ModdleNode): boolean {
  return ((element['eventDefinitions'] as ModdleNode[] | undefined) ?? []).some((item) => item.$type === 'bpmn:TimerEventDefinition');
}

const byJobType = new Map<string, ElementTemplate>();
for (const template of templates.values()) {
  const type = template.properties.find((property) => property.binding.type === 'zeebe:taskDefinition' && property.binding.property === 'type');
  if (type) byJobType.set(String(type.value), template);
}

/** The template an element ought to be built from, judged from what it does, not from its attributes. */
function matchingTemplate(element: Element): string | undefined {
  if (element.$type === 'bpmn:ServiceTask') {
    const type = extensionOf(element, 'zeebe:TaskDefinition')?.['type'];
    return byJobType.get(String(type))?.id;
  }
  if (element.$type === 'bpmn:UserTask') return 'fulfillment-pack.manual-task';
  if (element.$type === 'bpmn:BoundaryEvent' && hasTimer(element)) {
    return element['cancelActivity'] === false ? 'fulfillment-pack.reminder-boundary' : 'fulfillment-pack.timeout-boundary';
  }
  const name = messageOf(element)?.['name'];
  if (name === undefined) return undefined;
  if (name === 'order-cancel-requested') return 'fulfillment-pack.cancel-boundary';
  if (name === 'fulfillment-fallout-repaired') return 'fulfillment-pack.fallout-repaired';
  return 'fulfillment-pack.await-callback';
}

beforeAll(async () => {
  const parsed = await new BpmnModdle({ zeebe: zeebeDescriptor }).fromXML(committed);
  definitions = parsed.rootElement;
  warnings = parsed.warnings;
  const process = (definitions['rootElements'] as Element[]).find((element) => element.$type === 'bpmn:Process')!;
  elements = [process, ...children(process)];
});

describe('order-fulfillment-v1 model', () => {
  it('given the committed templates, when the model is regenerated, then the committed file is identical', async () => {
    expect(await renderModel()).toBe(committed);
  });

  it('when parsed with zeebe-bpmn-moddle, then it has no warnings, declares Camunda 8.8 and is executable', () => {
    expect(warnings).toEqual([]);
    const attributes = definitions['$attrs'] as Record<string, string>;
    expect(attributes['modeler:executionPlatform']).toBe('Camunda Cloud');
    expect(attributes['modeler:executionPlatformVersion']).toMatch(/^8\.8\./);
    expect(elements[0]).toMatchObject({ id: orderFulfillmentProcessId, isExecutable: true });
  });

  it('then every element that has a matching template references its current version', () => {
    const templated = elements.filter((element) => matchingTemplate(element) !== undefined);
    expect(templated.length).toBeGreaterThan(100);
    const wrong = templated
      .filter((element) => element['modelerTemplate'] !== matchingTemplate(element) || Number(element['modelerTemplateVersion']) !== templates.get(matchingTemplate(element)!)!.version)
      .map((element) => `${element.id}: ${String(element['modelerTemplate'])}@${String(element['modelerTemplateVersion'])}, expected ${matchingTemplate(element)}`);
    expect(wrong).toEqual([]);
  });

  it('then every templated element keeps the values the template does not let an analyst change', () => {
    const problems: string[] = [];
    for (const element of elements.filter((item) => item['modelerTemplate'])) {
      const template = templates.get(String(element['modelerTemplate']))!;
      for (const property of template.properties.filter((item) => item.type === 'Hidden' || item.editable === false)) {
        const binding = property.binding;
        const expected = String(property.value ?? '');
        let actual: unknown;
        if (binding.type === 'zeebe:taskDefinition') actual = extensionOf(element, 'zeebe:TaskDefinition')?.[binding.property];
        else if (binding.type === 'zeebe:input') {
          const inputs = (extensionOf(element, 'zeebe:IoMapping')?.['inputParameters'] as ModdleNode[] | undefined) ?? [];
          actual = inputs.find((input) => input['target'] === binding.name)?.['source'];
        } else if (binding.type === 'bpmn:Message#property') actual = messageOf(element)?.['name'];
        else if (binding.type === 'bpmn:Message#zeebe:subscription#property') actual = extensionOf(messageOf(element)!, 'zeebe:Subscription')?.['correlationKey'];
        else if (binding.type === 'zeebe:userTask') actual = extensionOf(element, 'zeebe:UserTask') ? '' : undefined;
        else continue;
        if (actual !== expected) problems.push(`${element.id} ${JSON.stringify(binding)}: ${String(actual)} instead of ${expected}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('then it has an end event for each end state of seed §3, reached when finalize records that state', () => {
    const ends = elements.filter((element) => element.$type === 'bpmn:EndEvent' && element.id.startsWith('End_'));
    expect(ends.map((end) => end.id).sort()).toEqual(fulfillmentEndStates.map(endEventId).sort());
    for (const state of fulfillmentEndStates) {
      const flow = elements.find((element) => element.$type === 'bpmn:SequenceFlow' && (element['targetRef'] as Element).id === endEventId(state))!;
      expect((flow['conditionExpression'] as ModdleNode)['body']).toBe(`=fulfillmentEndState = "${state}"`);
    }
  });

  it('then the phases are subprocesses in the order of the plan phases, each with its own diagram', () => {
    const phases = elements.filter((element) => element.$type === 'bpmn:SubProcess' && element.id.endsWith('Phase'));
    expect(phases.map((phase) => phase.name)).toEqual(['Validation phase', 'Reservation phase', 'Provisioning phase', 'Activation phase', 'Installed base phase', 'Completion phase']);
    const planes = (definitions['diagrams'] as ModdleNode[]).map((diagram) => ((diagram['plane'] as ModdleNode)['bpmnElement'] as Element).id);
    for (const phase of phases) expect(planes).toContain(phase.id);
  });

  it('then the cancel boundary interrupts the phases, the installed-base update and finalize, through the template', () => {
    const cancel = elements.find((element) => element['modelerTemplate'] === 'fulfillment-pack.cancel-boundary')!;
    expect(cancel['cancelActivity']).toBe(true);
    const host = cancel['attachedToRef'] as Element;
    expect(host.id).toBe('SubProcess_FulfillOrder');
    const covered = children(host).map((element) => element.id);
    expect(covered).toEqual(expect.arrayContaining(['SubProcess_ValidationPhase', 'SubProcess_CompletionPhase', 'Activity_ApplyInstalledBase', 'BoundaryEvent_RevertInstalledBase', 'Activity_Finalize']));
  });

  it('then every callback wait has an interrupting timeout and a non-interrupting reminder, through the templates', () => {
    const timeouts = elements.filter((element) => element['modelerTemplate'] === 'fulfillment-pack.timeout-boundary');
    const reminders = elements.filter((element) => element['modelerTemplate'] === 'fulfillment-pack.reminder-boundary');
    expect(timeouts).toHaveLength(6);
    expect(reminders).toHaveLength(6);
    expect(timeouts.map((element) => element['cancelActivity'])).toEqual(timeouts.map(() => true));
    expect(reminders.map((element) => element['cancelActivity'])).toEqual(reminders.map(() => false));
    expect(reminders.map((element) => (element['attachedToRef'] as Element).id)).toEqual(timeouts.map((element) => (element['attachedToRef'] as Element).id));
    const reminderRuns = elements.filter((element) => element.id.endsWith('_SendReminder'));
    expect(reminderRuns).toHaveLength(6);
    for (const run of reminderRuns) {
      const headers = (extensionOf(run, 'zeebe:TaskHeaders')?.['values'] as ModdleNode[] | undefined) ?? [];
      expect(headers.find((header) => header['key'] === 'timeoutKind')?.['value']).toBe('SOFT_REMINDER');
    }
  });

  it('then the compensation loop runs its steps one at a time and stops at a failed step', () => {
    const loop = elements.find((element) => element.id === 'Activity_UndoCompletedTasks')!;
    const characteristics = loop['loopCharacteristics'] as ModdleNode;
    expect(characteristics['isSequential']).toBe(true);
    expect((characteristics['completionCondition'] as ModdleNode)['body']).toBe('=list contains(["FAILED", "MANUAL_REVIEW"], compensationTaskResult)');
  });

  it('then the manual tasks use every form of forms/', () => {
    const formIds = new Set(elements.map((element) => extensionOf(element, 'zeebe:FormDefinition')?.['formId']).filter(Boolean));
    expect([...formIds].sort()).toEqual(manualTaskForms.map((form) => form.id).sort());
  });

  it('when linted with the project .bpmnlintrc, then there is no error and no warning', () => {
    const output = execFileSync(process.execPath, [require.resolve('bpmnlint/bin/bpmnlint.js'), modelPath], { encoding: 'utf8' });
    expect(output.trim()).toBe('');
  });
});

describe('order-fulfillment-v1 diagram', () => {
  interface Shape {
    id: string;
    type: string;
    bounds: Bounds;
    label?: Bounds;
    attachedTo?: string;
    parents: string[];
  }

  function planeShapes(): Shape[][] {
    const parentsOf = new Map<string, string[]>();
    const walk = (scope: ModdleNode, parents: string[]) => {
      for (const child of (scope['flowElements'] as Element[] | undefined) ?? []) {
        parentsOf.set(child.id, parents);
        walk(child, [...parents, child.id]);
      }
    };
    walk(elements[0]!, []);
    return (definitions['diagrams'] as ModdleNode[]).map((diagram) =>
      (((diagram['plane'] as ModdleNode)['planeElement'] as ModdleNode[]) ?? [])
        .filter((item) => item.$type === 'bpmndi:BPMNShape')
        .map((item) => {
          const element = item['bpmnElement'] as Element;
          const label = (item['label'] as ModdleNode | undefined)?.['bounds'] as Bounds | undefined;
          return {
            id: element.id,
            type: element.$type,
            bounds: item['bounds'] as Bounds,
            ...(label ? { label } : {}),
            ...(element['attachedToRef'] ? { attachedTo: (element['attachedToRef'] as Element).id } : {}),
            parents: parentsOf.get(element.id) ?? [],
          };
        }),
    );
  }

  interface Edge {
    id: string;
    source: Shape;
    target: Shape;
    waypoints: Point[];
    label?: Bounds;
  }

  /** Shapes and connections of one plane, connections resolved to the shapes they join. */
  interface Plane {
    shapes: Shape[];
    edges: Edge[];
    /** Expanded subprocesses drawn in this plane. */
    containers: Shape[];
  }

  function planes(): Plane[] {
    const shapesByPlane = planeShapes();
    return (definitions['diagrams'] as ModdleNode[]).map((diagram, index) => {
      const shapes = shapesByPlane[index]!;
      const byId = new Map(shapes.map((shape) => [shape.id, shape]));
      const items = ((diagram['plane'] as ModdleNode)['planeElement'] as ModdleNode[]) ?? [];
      const edges = items
        .filter((item) => item.$type === 'bpmndi:BPMNEdge')
        .map((item) => {
          const element = item['bpmnElement'] as Element;
          const label = (item['label'] as ModdleNode | undefined)?.['bounds'] as Bounds | undefined;
          return {
            id: element.id,
            source: byId.get((element['sourceRef'] as Element).id)!,
            target: byId.get((element['targetRef'] as Element).id)!,
            waypoints: (item['waypoint'] as Point[]).map(({ x, y }) => ({ x, y })),
            ...(label ? { label } : {}),
          };
        });
      const expanded = new Set(items.filter((item) => item['isExpanded'] === true).map((item) => (item['bpmnElement'] as Element).id));
      return { shapes, edges, containers: shapes.filter((shape) => expanded.has(shape.id)) };
    });
  }

  function outlineOf(shape: Shape): Outline {
    if (shape.type.endsWith('Gateway')) return 'diamond';
    if (shape.type.endsWith('Event')) return 'circle';
    return 'rectangle';
  }

  it('given every plane, then both ends of every connection are resolved to shapes of that plane', () => {
    const unresolved = planes().flatMap((plane) => plane.edges.filter((edge) => !edge.source || !edge.target).map((edge) => edge.id));
    expect(unresolved).toEqual([]);
  });

  it('then no flow label overlaps a shape, a shape label or another flow label', () => {
    const overlaps: string[] = [];
    for (const plane of planes()) {
      const containers = new Set(plane.containers);
      const flowLabels = plane.edges.filter((edge) => edge.label).map((edge) => ({ id: edge.id, box: edge.label! }));
      const obstacles = [
        ...plane.shapes.filter((shape) => !containers.has(shape)).map((shape) => ({ id: `${shape.id} (shape)`, box: shape.bounds })),
        ...plane.shapes.filter((shape) => shape.label).map((shape) => ({ id: `${shape.id} (label)`, box: shape.label! })),
      ];
      flowLabels.forEach((label, index) => {
        for (const obstacle of obstacles) if (intersects(label.box, obstacle.box)) overlaps.push(`${label.id} (label) overlaps ${obstacle.id}`);
        for (const other of flowLabels.slice(index + 1)) if (intersects(label.box, other.box)) overlaps.push(`${label.id} (label) overlaps ${other.id} (label)`);
      });
    }
    expect(overlaps).toEqual([]);
  });

  it('then no label crosses the border of an expanded subprocess', () => {
    const crossing: string[] = [];
    for (const plane of planes()) {
      const labels = [
        ...plane.shapes.filter((shape) => shape.label).map((shape) => ({ id: shape.id, box: shape.label! })),
        ...plane.edges.filter((edge) => edge.label).map((edge) => ({ id: edge.id, box: edge.label! })),
      ];
      for (const container of plane.containers) {
        for (const label of labels) if (straddles(container.bounds, label.box)) crossing.push(`${label.id} (label) crosses ${container.id}`);
      }
    }
    expect(crossing).toEqual([]);
  });

  it('then every connection starts on its source\'s border and ends on its target\'s border', () => {
    const loose: string[] = [];
    for (const plane of planes()) {
      for (const edge of plane.edges) {
        const first = edge.waypoints[0]!;
        const last = edge.waypoints[edge.waypoints.length - 1]!;
        if (!onOutline(edge.source.bounds, first, outlineOf(edge.source))) loose.push(`${edge.id} starts at ${JSON.stringify(first)}, off ${edge.source.id}`);
        if (!onOutline(edge.target.bounds, last, outlineOf(edge.target))) loose.push(`${edge.id} ends at ${JSON.stringify(last)}, off ${edge.target.id}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it('then no connection runs through the inside of its own source or target', () => {
    const through: string[] = [];
    for (const plane of planes()) {
      for (const edge of plane.edges) {
        for (const end of [edge.source, edge.target]) if (crossesInterior(edge.waypoints, end.bounds)) through.push(`${edge.id} runs through ${end.id}`);
      }
    }
    expect(through).toEqual([]);
  });

  it('then the label of a gateway\'s outgoing flow sits beside the gateway, as the Modeler places it', () => {
    const far: string[] = [];
    for (const plane of planes()) {
      for (const edge of plane.edges.filter((item) => item.label && item.source.type.endsWith('Gateway'))) {
        const gap = gapBetween(edge.label!, edge.source.bounds);
        if (gap > 60) far.push(`${edge.id} label is ${Math.round(gap)} px from ${edge.source.id}`);
      }
    }
    expect(far).toEqual([]);
  });

  it('then shapes of a plane keep at least 20 px apart, except a subprocess around its content and a boundary on its host', () => {
    const crowded: string[] = [];
    for (const plane of planes()) {
      plane.shapes.forEach((a, index) => {
        for (const b of plane.shapes.slice(index + 1)) {
          if (a.parents.includes(b.id) || b.parents.includes(a.id)) continue;
          if (a.attachedTo === b.id || b.attachedTo === a.id) continue;
          const gap = gapBetween(a.bounds, b.bounds);
          if (gap < 20) crowded.push(`${a.id} and ${b.id} are ${Math.round(gap)} px apart`);
        }
      });
    }
    expect(crowded).toEqual([]);
  });

  it('then every flow node and sequence flow is drawn exactly once', () => {
    const drawn = (definitions['diagrams'] as ModdleNode[]).flatMap((diagram) =>
      ((diagram['plane'] as ModdleNode)['planeElement'] as ModdleNode[]).map((item) => (item['bpmnElement'] as Element).id),
    );
    const drawable = elements.slice(1).map((element) => element.id);
    expect([...drawn].sort()).toEqual([...drawable].sort());
  });

  it('then no two shapes or labels of a plane overlap, except a subprocess around its content and a boundary on its host', () => {
    const overlaps: string[] = [];
    for (const shapes of planeShapes()) {
      const boxes = shapes.flatMap((shape) => [
        { owner: shape, box: shape.bounds, kind: 'shape' },
        ...(shape.label ? [{ owner: shape, box: shape.label, kind: 'label' }] : []),
      ]);
      boxes.forEach((a, index) => {
        for (const b of boxes.slice(index + 1)) {
          if (!intersects(a.box, b.box)) continue;
          if (a.owner === b.owner) continue;
          const nested = (outer: Shape, inner: Shape) => inner.parents.includes(outer.id);
          const containerBox = (x: typeof a, y: typeof a) => x.kind === 'shape' && x.owner.type === 'bpmn:SubProcess' && nested(x.owner, y.owner);
          if (containerBox(a, b) && contains(a.box, b.box)) continue;
          if (containerBox(b, a) && contains(b.box, a.box)) continue;
          const attached = (x: typeof a, y: typeof a) => x.kind === 'shape' && y.kind === 'shape' && x.owner.attachedTo === y.owner.id;
          if (attached(a, b) || attached(b, a)) continue;
          overlaps.push(`${a.owner.id} (${a.kind}) overlaps ${b.owner.id} (${b.kind})`);
        }
      });
    }
    expect(overlaps).toEqual([]);
  });

  it('then every shape inside an expanded subprocess lies within it', () => {
    const outside: string[] = [];
    for (const shapes of planeShapes()) {
      const byId = new Map(shapes.map((shape) => [shape.id, shape]));
      for (const shape of shapes) {
        const parent = byId.get(shape.parents[shape.parents.length - 1] ?? '');
        if (!parent || shape.attachedTo) continue;
        if (!contains(parent.bounds, shape.bounds)) outside.push(`${shape.id} outside ${parent.id}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
