/**
 * Writes a process graph as a BPMN 2.0 file with Zeebe extensions and diagram interchange, through
 * bpmn-moddle with zeebe-bpmn-moddle, so the XML is what the Modeler itself would write for the
 * same elements (namespaces, extension order, execution platform).
 */
import { BpmnModdle, type ModdleNode } from 'bpmn-moddle';
import { createRequire } from 'node:module';
import type { Bounds, FlowNode, Point, Scope } from './process-graph';

const require = createRequire(import.meta.url);
const zeebeDescriptor = require('zeebe-bpmn-moddle/resources/zeebe.json') as Record<string, unknown>;

/** The Camunda Modeler marks a file's target engine with these attributes. */
export const executionPlatform = { name: 'Camunda Cloud', version: '8.8.0' } as const;

/** What the file is about. */
export interface ProcessDocument {
  processId: string;
  processName: string;
  documentation: string;
  scope: Scope;
}

type Moddle = InstanceType<typeof BpmnModdle>;

/** Converts the graph, keeping every created element by id for references and diagram shapes. */
class Writer {
  private readonly elements = new Map<string, ModdleNode>();
  private readonly messages = new Map<string, ModdleNode>();
  private readonly pendingFlows: Array<() => void> = [];
  readonly planes: Array<{ owner: string; scope: Scope }> = [];

  constructor(private readonly moddle: Moddle) {}

  private create(type: string, attributes: Record<string, unknown> = {}): ModdleNode {
    return this.moddle.create(type, attributes);
  }

  private element(id: string): ModdleNode {
    const element = this.elements.get(id);
    if (!element) throw new Error(`No element ${id}`);
    return element;
  }

  allMessages(): ModdleNode[] {
    return [...this.messages.values()];
  }

  private message(name: string, correlationKey: string): ModdleNode {
    const known = this.messages.get(name);
    if (known) {
      const subscription = (known['extensionElements'] as { values: ModdleNode[] }).values[0];
      if (subscription?.['correlationKey'] !== correlationKey) throw new Error(`Message ${name} used with two correlation keys`);
      return known;
    }
    const message = this.create('bpmn:Message', {
      id: `Message_${name.replace(/[^A-Za-z0-9]/g, '_')}`,
      name,
      extensionElements: this.create('bpmn:ExtensionElements', {
        values: [this.create('zeebe:Subscription', { correlationKey })],
      }),
    });
    this.messages.set(name, message);
    return message;
  }

  private extensions(node: FlowNode): ModdleNode[] {
    const values: ModdleNode[] = [];
    const bindings = node.template?.bindings;
    if (bindings?.taskType !== undefined) {
      values.push(this.create('zeebe:TaskDefinition', { type: bindings.taskType, retries: bindings.retries }));
    }
    if (bindings?.userTask) values.push(this.create('zeebe:UserTask'));
    if (bindings?.formId !== undefined) values.push(this.create('zeebe:FormDefinition', { formId: bindings.formId }));
    if (bindings?.candidateGroups !== undefined) {
      values.push(this.create('zeebe:AssignmentDefinition', { candidateGroups: bindings.candidateGroups }));
    }
    const inputs = [...(node.inputs ?? []), ...(bindings?.inputs ?? [])];
    const outputs = bindings?.outputs ?? [];
    if (inputs.length > 0 || outputs.length > 0) {
      values.push(
        this.create('zeebe:IoMapping', {
          inputParameters: inputs.map((input) => this.create('zeebe:Input', { ...input })),
          outputParameters: outputs.map((output) => this.create('zeebe:Output', { ...output })),
        }),
      );
    }
    if (bindings && bindings.headers.length > 0) {
      values.push(
        this.create('zeebe:TaskHeaders', { values: bindings.headers.map((header) => this.create('zeebe:Header', { ...header })) }),
      );
    }
    if (bindings && bindings.properties.length > 0) {
      values.push(
        this.create('zeebe:Properties', {
          properties: bindings.properties.map((property) => this.create('zeebe:Property', { ...property })),
        }),
      );
    }
    return values;
  }

  private eventDefinitions(node: FlowNode): ModdleNode[] {
    const definition = node.eventDefinition;
    if (!definition) return [];
    if (definition.kind === 'message') {
      return [this.create('bpmn:MessageEventDefinition', { messageRef: this.message(definition.messageName, definition.correlationKey) })];
    }
    if (definition.kind === 'timer') {
      return [
        this.create('bpmn:TimerEventDefinition', {
          timeDuration: this.create('bpmn:FormalExpression', { body: definition.timeDuration }),
        }),
      ];
    }
    return [this.create('bpmn:CompensateEventDefinition')];
  }

  private flowNode(node: FlowNode): ModdleNode {
    const type = `bpmn:${node.type[0]?.toUpperCase()}${node.type.slice(1)}`;
    const element = this.create(type, { id: node.id, ...(node.name ? { name: node.name } : {}) });
    if (node.template) {
      element['modelerTemplate'] = node.template.id;
      element['modelerTemplateVersion'] = node.template.version;
    }
    if (node.documentation) element['documentation'] = [this.create('bpmn:Documentation', { text: node.documentation })];
    const extensions = this.extensions(node);
    if (extensions.length > 0) element['extensionElements'] = this.create('bpmn:ExtensionElements', { values: extensions });
    const definitions = this.eventDefinitions(node);
    if (definitions.length > 0) element['eventDefinitions'] = definitions;
    if (node.isForCompensation) element['isForCompensation'] = true;
    if (node.cancelActivity !== undefined) element['cancelActivity'] = node.cancelActivity;
    if (node.multiInstance) {
      element['loopCharacteristics'] = this.create('bpmn:MultiInstanceLoopCharacteristics', {
        isSequential: node.multiInstance.sequential,
        ...(node.multiInstance.completionCondition
          ? { completionCondition: this.create('bpmn:FormalExpression', { body: node.multiInstance.completionCondition }) }
          : {}),
        extensionElements: this.create('bpmn:ExtensionElements', {
          values: [
            this.create('zeebe:LoopCharacteristics', {
              inputCollection: node.multiInstance.inputCollection,
              inputElement: node.multiInstance.inputElement,
            }),
          ],
        }),
      });
    }
    this.elements.set(node.id, element);
    if (node.scope) {
      const inner = this.scope(node.scope);
      element['flowElements'] = inner.flowElements;
      if (inner.artifacts.length > 0) element['artifacts'] = inner.artifacts;
      if (node.collapsed) this.planes.push({ owner: node.id, scope: node.scope });
    }
    return element;
  }

  /** Converts a scope; references between elements are resolved once every element exists. */
  scope(scope: Scope): { flowElements: ModdleNode[]; artifacts: ModdleNode[] } {
    const flowElements = scope.nodes.map((node) => this.flowNode(node));
    for (const flow of scope.flows) {
      const element = this.create('bpmn:SequenceFlow', { id: flow.id, ...(flow.name ? { name: flow.name } : {}) });
      if (flow.condition) element['conditionExpression'] = this.create('bpmn:FormalExpression', { body: flow.condition });
      this.elements.set(flow.id, element);
      flowElements.push(element);
      this.pendingFlows.push(() => {
        const source = this.element(flow.source);
        const target = this.element(flow.target);
        element['sourceRef'] = source;
        element['targetRef'] = target;
        source['outgoing'] = [...((source['outgoing'] as ModdleNode[] | undefined) ?? []), element];
        target['incoming'] = [...((target['incoming'] as ModdleNode[] | undefined) ?? []), element];
        if (flow.isDefault) source['default'] = element;
      });
    }
    for (const node of scope.nodes) {
      if (node.attachedTo) this.pendingFlows.push(() => (this.element(node.id)['attachedToRef'] = this.element(node.attachedTo!)));
    }
    const artifacts = scope.associations.map((association) => {
      const element = this.create('bpmn:Association', { id: association.id, associationDirection: 'One' });
      this.elements.set(association.id, element);
      this.pendingFlows.push(() => {
        element['sourceRef'] = this.element(association.source);
        element['targetRef'] = this.element(association.target);
      });
      return element;
    });
    return { flowElements, artifacts };
  }

  resolveReferences(): void {
    for (const resolve of this.pendingFlows) resolve();
  }

  private bounds(bounds: Bounds): ModdleNode {
    return this.create('dc:Bounds', { ...bounds });
  }

  private points(points: Point[]): ModdleNode[] {
    return points.map((point) => this.create('dc:Point', { ...point }));
  }

  /** Diagram elements of one plane: shapes and edges of the scope, expanded subprocesses inline. */
  planeElements(scope: Scope): ModdleNode[] {
    const shapes: ModdleNode[] = [];
    const edges: ModdleNode[] = [];
    for (const node of scope.nodes) {
      const shape = this.create('bpmndi:BPMNShape', { id: `${node.id}_di`, bpmnElement: this.element(node.id), bounds: this.bounds(node.bounds) });
      if (node.type === 'subProcess') shape['isExpanded'] = !node.collapsed;
      if (node.labelBounds) shape['label'] = this.create('bpmndi:BPMNLabel', { bounds: this.bounds(node.labelBounds) });
      shapes.push(shape);
      if (node.scope && !node.collapsed) {
        const inner = this.planeElements(node.scope);
        shapes.push(...inner);
      }
    }
    const edge = (id: string, waypoints: Point[], label?: Bounds) => {
      const element = this.create('bpmndi:BPMNEdge', { id: `${id}_di`, bpmnElement: this.element(id), waypoint: this.points(waypoints) });
      if (label) element['label'] = this.create('bpmndi:BPMNLabel', { bounds: this.bounds(label) });
      return element;
    };
    for (const flow of scope.flows) edges.push(edge(flow.id, flow.waypoints, flow.labelBounds));
    for (const association of scope.associations) edges.push(edge(association.id, association.waypoints));
    // Boundary events after their hosts, as the Modeler orders them, so they are drawn on top.
    const isBoundary = (shape: ModdleNode) => (shape['bpmnElement'] as ModdleNode).$type === 'bpmn:BoundaryEvent';
    return [...shapes.filter((shape) => !isBoundary(shape)), ...shapes.filter(isBoundary), ...edges];
  }

  diagram(id: string, owner: ModdleNode, scope: Scope): ModdleNode {
    return this.create('bpmndi:BPMNDiagram', {
      id,
      plane: this.create('bpmndi:BPMNPlane', { id: `${id}_plane`, bpmnElement: owner, planeElement: this.planeElements(scope) }),
    });
  }

  get(id: string): ModdleNode {
    return this.element(id);
  }
}

/** The BPMN XML of the document, formatted, with one diagram per plane (collapsed subprocesses). */
export async function toBpmnXml(document: ProcessDocument): Promise<string> {
  const moddle = new BpmnModdle({ zeebe: zeebeDescriptor });
  const writer = new Writer(moddle);
  const { flowElements, artifacts } = writer.scope(document.scope);
  writer.resolveReferences();
  const process = moddle.create('bpmn:Process', {
    id: document.processId,
    name: document.processName,
    isExecutable: true,
    documentation: [moddle.create('bpmn:Documentation', { text: document.documentation })],
    flowElements,
    ...(artifacts.length > 0 ? { artifacts } : {}),
  });
  const diagrams = [writer.diagram('BPMNDiagram_1', process, document.scope)];
  // Planes are registered while converting, so nested collapsed subprocesses are listed too.
  for (const plane of writer.planes) diagrams.push(writer.diagram(`BPMNDiagram_${plane.owner}`, writer.get(plane.owner), plane.scope));
  const definitions = moddle.create('bpmn:Definitions', {
    id: `Definitions_${document.processId.replace(/[^A-Za-z0-9]/g, '_')}`,
    targetNamespace: 'http://bpmn.io/schema/bpmn',
    exporter: 'Fulfillment Pack model generator',
    exporterVersion: '1.0.0',
    rootElements: [...writer.allMessages(), process],
    diagrams,
  });
  const attributes = definitions['$attrs'] as Record<string, string>;
  attributes['xmlns:modeler'] = 'http://camunda.org/schema/modeler/1.0';
  attributes['modeler:executionPlatform'] = executionPlatform.name;
  attributes['modeler:executionPlatformVersion'] = executionPlatform.version;
  const { xml } = await moddle.toXML(definitions, { format: true });
  return `${xml}\n`;
}
