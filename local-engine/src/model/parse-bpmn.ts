/**
 * Parses a BPMN file with bpmn-moddle + zeebe-bpmn-moddle into ProcessModels, rejecting what the
 * local engine does not interpret with a message naming the element, as Zeebe rejects a
 * deployment it cannot execute.
 */
import { BpmnModdle, type ModdleNode } from 'bpmn-moddle';
import { createRequire } from 'node:module';
import type { ElementKind, ElementModel, EventDefinition, FlowModel, Mapping, ProcessModel } from './process-model';

const require = createRequire(import.meta.url);
const zeebeDescriptor = require('zeebe-bpmn-moddle/resources/zeebe.json') as Record<string, unknown>;

/** A deployment was rejected; `details` names each offending element. */
export class InvalidResourceError extends Error {
  /** Stable code of this rejection. */
  readonly code = 'DEPLOY.INVALID_RESOURCE';
  constructor(
    readonly resourceName: string,
    readonly details: string[],
    prefixed = true,
  ) {
    super(prefixed ? `'${resourceName}': ${details.join('; ')}` : details.join('\n'));
    this.name = 'InvalidResourceError';
  }
}

type Node = ModdleNode & { id?: string; name?: string };

const kindByType: Record<string, { kind: ElementKind; bpmn: string }> = {
  'bpmn:StartEvent': { kind: 'startEvent', bpmn: 'START_EVENT' },
  'bpmn:EndEvent': { kind: 'endEvent', bpmn: 'END_EVENT' },
  'bpmn:IntermediateCatchEvent': { kind: 'intermediateCatchEvent', bpmn: 'INTERMEDIATE_CATCH_EVENT' },
  'bpmn:IntermediateThrowEvent': { kind: 'intermediateThrowEvent', bpmn: 'INTERMEDIATE_THROW_EVENT' },
  'bpmn:BoundaryEvent': { kind: 'boundaryEvent', bpmn: 'BOUNDARY_EVENT' },
  'bpmn:ServiceTask': { kind: 'jobTask', bpmn: 'SERVICE_TASK' },
  'bpmn:SendTask': { kind: 'jobTask', bpmn: 'SEND_TASK' },
  'bpmn:ScriptTask': { kind: 'jobTask', bpmn: 'SCRIPT_TASK' },
  'bpmn:BusinessRuleTask': { kind: 'jobTask', bpmn: 'BUSINESS_RULE_TASK' },
  'bpmn:UserTask': { kind: 'userTask', bpmn: 'USER_TASK' },
  'bpmn:ReceiveTask': { kind: 'receiveTask', bpmn: 'RECEIVE_TASK' },
  'bpmn:ManualTask': { kind: 'passThroughTask', bpmn: 'MANUAL_TASK' },
  'bpmn:Task': { kind: 'passThroughTask', bpmn: 'TASK' },
  'bpmn:ExclusiveGateway': { kind: 'exclusiveGateway', bpmn: 'EXCLUSIVE_GATEWAY' },
  'bpmn:EventBasedGateway': { kind: 'eventBasedGateway', bpmn: 'EVENT_BASED_GATEWAY' },
  'bpmn:InclusiveGateway': { kind: 'inclusiveGateway', bpmn: 'INCLUSIVE_GATEWAY' },
  'bpmn:ParallelGateway': { kind: 'parallelGateway', bpmn: 'PARALLEL_GATEWAY' },
  'bpmn:SubProcess': { kind: 'subProcess', bpmn: 'SUB_PROCESS' },
  'bpmn:CallActivity': { kind: 'callActivity', bpmn: 'CALL_ACTIVITY' },
};

/** Elements that carry no execution semantics and are skipped. */
const ignoredTypes = new Set([
  'bpmn:SequenceFlow',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
]);

function extensions(node: Node): Node[] {
  const ext = node.extensionElements as { values?: Node[] } | undefined;
  return ext?.values ?? [];
}

function extension(node: Node, type: string): Node | undefined {
  return extensions(node).find((v) => v.$type === type);
}

function mappings(list: unknown): Mapping[] {
  return ((list as Node[] | undefined) ?? []).map((p) => ({
    source: String(p.source ?? ''),
    target: String(p.target ?? ''),
  }));
}

function bodyOf(expr: unknown): string | undefined {
  const body = (expr as { body?: string } | undefined)?.body;
  return typeof body === 'string' ? body.trim() : undefined;
}

class Parser {
  readonly errors: string[] = [];
  readonly elements: Record<string, ElementModel> = {};
  readonly flows: Record<string, FlowModel> = {};
  readonly associations: Array<{ source: string; target: string }> = [];

  fail(id: string | undefined, message: string): void {
    this.errors.push(`Element '${id ?? '?'}': ${message}`);
  }

  eventDefinition(node: Node): EventDefinition {
    const defs = (node.eventDefinitions as Node[] | undefined) ?? [];
    if (defs.length > 1) {
      this.fail(node.id, 'multiple event definitions are not supported');
    }
    const def = defs[0];
    if (!def) return { kind: 'none' };
    switch (def.$type) {
      case 'bpmn:MessageEventDefinition': {
        const message = def.messageRef as Node | undefined;
        if (!message) {
          this.fail(node.id, 'a message event must reference a message');
          return { kind: 'message' };
        }
        const subscription = extension(message, 'zeebe:Subscription');
        return {
          kind: 'message',
          messageName: message.name,
          correlationKey: subscription?.correlationKey as string | undefined,
        };
      }
      case 'bpmn:SignalEventDefinition': {
        const signal = def.signalRef as Node | undefined;
        if (!signal?.name) {
          this.fail(node.id, 'a signal event must reference a signal with a name');
          return { kind: 'signal' };
        }
        return { kind: 'signal', signalName: signal.name };
      }
      case 'bpmn:TimerEventDefinition': {
        const duration = bodyOf(def.timeDuration);
        const date = bodyOf(def.timeDate);
        const cycle = bodyOf(def.timeCycle);
        if (duration) return { kind: 'timer', timer: { kind: 'duration', value: duration } };
        if (date) return { kind: 'timer', timer: { kind: 'date', value: date } };
        if (cycle) return { kind: 'timer', timer: { kind: 'cycle', value: cycle } };
        this.fail(node.id, 'a timer event must have a timeDuration, timeDate or timeCycle');
        return { kind: 'timer' };
      }
      case 'bpmn:ErrorEventDefinition': {
        const error = def.errorRef as Node | undefined;
        return { kind: 'error', code: (error?.errorCode as string | undefined) ?? undefined };
      }
      case 'bpmn:EscalationEventDefinition': {
        const escalation = def.escalationRef as Node | undefined;
        return { kind: 'escalation', code: (escalation?.escalationCode as string | undefined) ?? undefined };
      }
      case 'bpmn:TerminateEventDefinition':
        return { kind: 'terminate' };
      case 'bpmn:CompensateEventDefinition':
        return { kind: 'compensate', activityRef: (def.activityRef as Node | undefined)?.id };
      default:
        this.fail(node.id, `the event definition '${def.$type}' is not supported by the local engine`);
        return { kind: 'none' };
    }
  }

  validateEvent(model: ElementModel, parentKind: ElementKind | undefined): void {
    const kind = model.event?.kind ?? 'none';
    const allowed: Partial<Record<ElementKind, EventDefinition['kind'][]>> = {
      startEvent: parentKind === 'eventSubProcess' ? ['none', 'message', 'signal', 'timer', 'error', 'escalation'] : parentKind === 'process' ? ['none', 'message', 'signal', 'timer'] : ['none'],
      endEvent: ['none', 'error', 'escalation', 'terminate', 'compensate', 'message', 'signal'],
      intermediateCatchEvent: ['message', 'signal', 'timer'],
      intermediateThrowEvent: ['none', 'escalation', 'compensate', 'message', 'signal'],
      boundaryEvent: ['message', 'signal', 'timer', 'error', 'escalation', 'compensate'],
    };
    const list = allowed[model.kind];
    if (list && !list.includes(kind)) {
      this.fail(model.id, `a ${model.bpmnElementType} with a ${kind} event definition is not supported here`);
    }
    if (kind === 'message' && model.kind !== 'endEvent' && model.kind !== 'intermediateThrowEvent') {
      if (!model.event?.messageName) this.fail(model.id, 'the message must have a name');
      if (!(model.kind === 'startEvent' && parentKind === 'process') && !model.event?.correlationKey) {
        this.fail(model.id, 'the message must have a zeebe:subscription correlationKey');
      }
    }
    // docs.camunda.io/docs/components/modeler/bpmn/timer-events/#timer-start-events
    if (kind === 'timer' && model.kind === 'startEvent' && parentKind === 'process' && model.event?.timer?.kind === 'duration') {
      this.fail(model.id, 'a timer start event needs a timeDate or timeCycle, not a timeDuration');
    }
    if ((kind === 'message' && (model.kind === 'endEvent' || model.kind === 'intermediateThrowEvent')) && !model.job) {
      this.fail(model.id, 'a message throw event needs a zeebe:taskDefinition (job worker)');
    }
  }

  /**
   * docs.camunda.io/docs/components/modeler/bpmn/event-based-gateways/: at least two outgoing
   * sequence flows, each to an intermediate catch event of type timer, message or signal. The gateway waits for the events itself, so a target must not be
   * reachable any other way.
   */
  validateEventBasedGateway(model: ElementModel): void {
    if (model.outgoing.length < 2) this.fail(model.id, 'an event-based gateway needs at least two outgoing sequence flows');
    for (const flowId of model.outgoing) {
      const target = this.elements[this.flows[flowId]!.targetId]!;
      if (target.kind !== 'intermediateCatchEvent' || !['message', 'signal', 'timer'].includes(target.event?.kind ?? 'none')) {
        this.fail(flowId, 'a sequence flow leaving an event-based gateway must lead to an intermediate message, signal or timer catch event');
      } else if (target.incoming.length > 1) {
        this.fail(target.id, 'an event after an event-based gateway must have no other incoming sequence flow');
      }
      if (this.flows[flowId]!.condition) this.fail(flowId, 'a sequence flow leaving an event-based gateway cannot have a condition');
    }
  }

  flowNode(node: Node, parentId: string, parentKind: ElementKind): void {
    const id = node.id;
    if (!id) {
      this.fail(undefined, `a ${node.$type} without id`);
      return;
    }
    if (node.$type === 'bpmn:SequenceFlow') {
      const condition = bodyOf(node.conditionExpression);
      this.flows[id] = {
        id,
        sourceId: (node.sourceRef as Node | undefined)?.id ?? '',
        targetId: (node.targetRef as Node | undefined)?.id ?? '',
        ...(condition ? { condition } : {}),
      };
      return;
    }
    if (ignoredTypes.has(node.$type)) return;
    let mapping = kindByType[node.$type];
    const triggeredByEvent = node.$type === 'bpmn:SubProcess' && node.triggeredByEvent === true;
    if (triggeredByEvent) mapping = { kind: 'eventSubProcess', bpmn: 'EVENT_SUB_PROCESS' };
    if (!mapping) {
      this.fail(id, `the element type '${node.$type.replace('bpmn:', '')}' is not supported by the local engine`);
      return;
    }
    const io = extension(node, 'zeebe:IoMapping');
    const model: ElementModel = {
      id,
      ...(node.name ? { name: node.name } : {}),
      kind: mapping.kind,
      bpmnElementType: mapping.bpmn,
      parentId,
      incoming: [],
      outgoing: [],
      inputs: mappings(io?.inputParameters),
      outputs: mappings(io?.outputParameters),
      boundaryIds: [],
      eventSubProcessIds: [],
      childIds: [],
      isForCompensation: node.isForCompensation === true,
    };
    for (const ext of extensions(node)) {
      if (ext.$type === 'zeebe:ExecutionListeners' || ext.$type === 'zeebe:TaskListeners') {
        this.fail(id, `${ext.$type} are not supported by the local engine`);
      }
    }
    const taskDefinition = extension(node, 'zeebe:TaskDefinition');
    if (taskDefinition) {
      const headers: Record<string, string> = {};
      for (const h of (extension(node, 'zeebe:TaskHeaders')?.values as Node[] | undefined) ?? []) {
        headers[String(h.key)] = String(h.value ?? '');
      }
      model.job = { type: String(taskDefinition.type ?? ''), retries: String(taskDefinition.retries ?? '3'), headers };
      if (!model.job.type) this.fail(id, 'zeebe:taskDefinition must have a type');
    }
    if (mapping.kind === 'jobTask' && !model.job) {
      this.fail(id, `a ${mapping.bpmn} needs a zeebe:taskDefinition with a job type (scripts and decisions are not supported by the local engine)`);
    }
    if (mapping.kind === 'userTask') {
      const form = extension(node, 'zeebe:FormDefinition');
      const assignment = extension(node, 'zeebe:AssignmentDefinition');
      const schedule = extension(node, 'zeebe:TaskSchedule');
      const priority = extension(node, 'zeebe:PriorityDefinition');
      if (extension(node, 'zeebe:UserTask')) {
        model.userTask = {
          ...(form?.formId ? { formId: String(form.formId) } : {}),
          ...(form?.formKey ? { formKey: String(form.formKey) } : {}),
          ...(form?.externalReference ? { externalFormReference: String(form.externalReference) } : {}),
          ...(assignment?.assignee ? { assignee: String(assignment.assignee) } : {}),
          ...(assignment?.candidateGroups ? { candidateGroups: String(assignment.candidateGroups) } : {}),
          ...(assignment?.candidateUsers ? { candidateUsers: String(assignment.candidateUsers) } : {}),
          ...(schedule?.dueDate ? { dueDate: String(schedule.dueDate) } : {}),
          ...(schedule?.followUpDate ? { followUpDate: String(schedule.followUpDate) } : {}),
          ...(priority?.priority ? { priority: String(priority.priority) } : {}),
        };
      } else {
        // Job-based user tasks (the pre-8.5 default) are jobs of this reserved type, as in Zeebe.
        const headers: Record<string, string> = {};
        if (form?.formKey) headers['io.camunda.zeebe:formKey'] = String(form.formKey);
        if (assignment?.assignee) headers['io.camunda.zeebe:assignee'] = String(assignment.assignee);
        if (assignment?.candidateGroups) headers['io.camunda.zeebe:candidateGroups'] = String(assignment.candidateGroups);
        model.kind = 'jobTask';
        model.job = { type: 'io.camunda.zeebe:userTask', retries: '1', headers };
      }
    }
    if (mapping.kind === 'receiveTask') {
      const message = node.messageRef as Node | undefined;
      const subscription = message ? extension(message, 'zeebe:Subscription') : undefined;
      model.event = {
        kind: 'message',
        messageName: message?.name,
        correlationKey: subscription?.correlationKey as string | undefined,
      };
      if (!message?.name) this.fail(id, 'a receive task must reference a message with a name');
      if (!model.event.correlationKey) this.fail(id, 'the message must have a zeebe:subscription correlationKey');
    }
    if (mapping.kind === 'callActivity') {
      const called = extension(node, 'zeebe:CalledElement');
      if (!called?.processId) {
        this.fail(id, 'a call activity needs zeebe:calledElement with a processId');
      } else {
        model.calledElement = {
          processId: String(called.processId),
          propagateAllChildVariables: called.propagateAllChildVariables !== false,
          propagateAllParentVariables: called.propagateAllParentVariables !== false,
        };
      }
    }
    const isEvent = node.$type.endsWith('Event');
    if (isEvent) {
      model.event = this.eventDefinition(node);
    }
    if (mapping.kind === 'boundaryEvent') {
      model.attachedToId = (node.attachedToRef as Node | undefined)?.id;
      model.interrupting = node.cancelActivity !== false;
      if (model.event?.kind === 'error' || model.event?.kind === 'compensate') model.interrupting = model.event.kind === 'error';
    }
    if (mapping.kind === 'startEvent' && parentKind === 'eventSubProcess') {
      model.interrupting = node.isInterrupting !== false;
    }
    const loop = node.loopCharacteristics as Node | undefined;
    if (loop) {
      if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
        this.fail(id, 'standard loop characteristics are not supported; use multi-instance');
      } else {
        const zl = extension(loop, 'zeebe:LoopCharacteristics');
        if (!zl?.inputCollection) {
          this.fail(id, 'a multi-instance activity needs zeebe:loopCharacteristics inputCollection');
        } else {
          const completionCondition = bodyOf(loop.completionCondition);
          model.multiInstance = {
            sequential: loop.isSequential === true,
            inputCollection: String(zl.inputCollection),
            ...(zl.inputElement ? { inputElement: String(zl.inputElement) } : {}),
            ...(zl.outputCollection ? { outputCollection: String(zl.outputCollection) } : {}),
            ...(zl.outputElement ? { outputElement: String(zl.outputElement) } : {}),
            ...(completionCondition ? { completionCondition } : {}),
          };
        }
      }
    }
    const defaultFlow = node.default as Node | undefined;
    if (defaultFlow?.id) model.defaultFlowId = defaultFlow.id;
    this.elements[id] = model;
    const parent = this.elements[parentId];
    parent?.childIds.push(id);
    if (mapping.kind === 'subProcess' || mapping.kind === 'eventSubProcess') {
      this.scope(node, id, mapping.kind);
    }
  }

  scope(node: Node, id: string, kind: ElementKind): void {
    for (const child of (node.flowElements as Node[] | undefined) ?? []) this.flowNode(child, id, kind);
    for (const artifact of (node.artifacts as Node[] | undefined) ?? []) {
      if (artifact.$type === 'bpmn:Association') {
        const source = (artifact.sourceRef as Node | undefined)?.id;
        const target = (artifact.targetRef as Node | undefined)?.id;
        if (source && target) this.associations.push({ source, target });
      }
    }
  }

  link(process: ElementModel): void {
    // Zeebe follows sourceRef/targetRef; a file may omit <incoming>/<outgoing> entirely.
    for (const flow of Object.values(this.flows)) {
      const source = this.elements[flow.sourceId];
      const target = this.elements[flow.targetId];
      if (!source || !target) {
        this.fail(flow.id, 'the sequence flow must connect two supported flow nodes');
        continue;
      }
      source.outgoing.push(flow.id);
      target.incoming.push(flow.id);
    }
    for (const model of Object.values(this.elements)) {
      if (model.kind === 'boundaryEvent') {
        const host = model.attachedToId ? this.elements[model.attachedToId] : undefined;
        if (!host) this.fail(model.id, 'the boundary event must be attached to a supported activity');
        else host.boundaryIds.push(model.id);
      }
      if (model.defaultFlowId && !model.outgoing.includes(model.defaultFlowId)) {
        this.fail(model.id, 'the default flow must be one of its outgoing sequence flows');
      }
      if (model.kind === 'eventBasedGateway') this.validateEventBasedGateway(model);
      if ((model.kind === 'exclusiveGateway' || model.kind === 'inclusiveGateway') && model.outgoing.length > 1) {
        const kind = model.kind === 'exclusiveGateway' ? 'exclusive' : 'inclusive';
        for (const flowId of model.outgoing) {
          if (flowId !== model.defaultFlowId && !this.flows[flowId]?.condition) {
            this.fail(flowId, `a sequence flow leaving an ${kind} gateway needs a condition unless it is the default flow`);
          }
        }
      }
    }
    for (const association of this.associations) {
      const boundary = this.elements[association.source];
      const handler = this.elements[association.target];
      if (boundary?.kind === 'boundaryEvent' && boundary.event?.kind === 'compensate' && handler && boundary.attachedToId) {
        const host = this.elements[boundary.attachedToId];
        if (host) host.compensationHandlerId = handler.id;
        if (!handler.isForCompensation) this.fail(handler.id, 'a compensation handler must be marked isForCompensation');
      }
    }
    for (const model of Object.values(this.elements)) {
      if (model.kind !== 'process' && model.kind !== 'subProcess' && model.kind !== 'eventSubProcess') continue;
      for (const childId of model.childIds) {
        const child = this.elements[childId];
        if (!child) continue;
        if (child.kind === 'eventSubProcess') model.eventSubProcessIds.push(childId);
        if (child.kind === 'startEvent' && child.event?.kind === 'none') {
          if (model.noneStartId) this.fail(model.id, 'a scope may have only one none start event');
          model.noneStartId = childId;
        }
      }
      if (model.kind === 'subProcess' && !model.noneStartId) this.fail(model.id, 'an embedded subprocess needs one none start event');
      if (model.kind === 'eventSubProcess') {
        const starts = model.childIds.filter((c) => this.elements[c]?.kind === 'startEvent');
        if (starts.length !== 1) this.fail(model.id, 'an event subprocess needs exactly one start event');
        const start = this.elements[starts[0] ?? ''];
        if (start && start.event?.kind === 'none') this.fail(start.id, 'the start event of an event subprocess needs an event definition');
        model.noneStartId = undefined;
      }
    }
    for (const model of Object.values(this.elements)) {
      const parent = model.parentId === process.id ? process : this.elements[model.parentId ?? ''];
      if (model.event || ['startEvent', 'endEvent', 'boundaryEvent', 'intermediateCatchEvent', 'intermediateThrowEvent'].includes(model.kind)) {
        this.validateEvent(model, parent?.kind);
      }
      if (model.kind === 'boundaryEvent' && model.event?.kind === 'compensate') {
        const host = this.elements[model.attachedToId ?? ''];
        if (host && !host.compensationHandlerId) this.fail(model.id, 'a compensation boundary event needs an associated compensation handler');
      }
    }
  }
}

/**
 * Parses BPMN XML into the executable processes it contains.
 * @throws InvalidResourceError naming every unsupported or invalid element.
 */
export async function parseBpmn(resourceName: string, xml: string): Promise<ProcessModel[]> {
  const moddle = new BpmnModdle({ zeebe: zeebeDescriptor });
  let parsed;
  try {
    parsed = await moddle.fromXML(xml, { lax: true });
  } catch (error) {
    throw new InvalidResourceError(resourceName, [`not a valid BPMN file: ${(error as Error).message}`]);
  }
  const definitions = parsed.rootElement as Node;
  const processes = ((definitions.rootElements as Node[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  // Zeebe ignores diagram interchange (bpmndi): a shape, edge or plane that refers to an element
  // which does not exist only breaks the picture, so it must not reject the deployment
  const errors: string[] = parsed.warnings
    .filter((w) => /unresolved reference|unknown type/i.test(w.message) && !isDiagramElement(w.element))
    .map((w) => w.message);
  const executable = processes.filter((p) => p.isExecutable !== false);
  if (executable.length === 0) errors.push('the file contains no executable process');
  const models: ProcessModel[] = [];
  for (const node of executable) {
    const parser = new Parser();
    const id = node.id ?? '';
    const processElement: ElementModel = {
      id,
      ...(node.name ? { name: node.name } : {}),
      kind: 'process',
      bpmnElementType: 'PROCESS',
      incoming: [],
      outgoing: [],
      inputs: [],
      outputs: [],
      boundaryIds: [],
      eventSubProcessIds: [],
      childIds: [],
      isForCompensation: false,
    };
    parser.elements[id] = processElement;
    parser.scope(node, id, 'process');
    parser.link(processElement);
    if (!processElement.noneStartId && !processElement.childIds.some((c) => parser.elements[c]?.kind === 'startEvent')) {
      parser.fail(id, 'the process must have at least one start event');
    }
    errors.push(...parser.errors);
    models.push({
      bpmnProcessId: id,
      ...(node.name ? { name: node.name } : {}),
      elements: parser.elements,
      flows: parser.flows,
      messageStartIds: processElement.childIds.filter((c) => parser.elements[c]?.kind === 'startEvent' && parser.elements[c]?.event?.kind === 'message'),
      timerStartIds: processElement.childIds.filter((c) => parser.elements[c]?.kind === 'startEvent' && parser.elements[c]?.event?.kind === 'timer'),
      signalStartIds: processElement.childIds.filter((c) => parser.elements[c]?.kind === 'startEvent' && parser.elements[c]?.event?.kind === 'signal'),
    });
  }
  if (errors.length > 0) throw new InvalidResourceError(resourceName, errors);
  return models;
}

/** True for an element of BPMN diagram interchange (`bpmndi:`, `dc:`, `di:`), which Zeebe does not read. */
function isDiagramElement(element: ModdleNode | undefined): boolean {
  return element !== undefined && /^(bpmndi|dc|di):/.test(element.$type);
}
