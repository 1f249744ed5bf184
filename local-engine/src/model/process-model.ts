/**
 * The engine's own, plain-data view of a deployed BPMN process: only what the interpreter needs,
 * resolved once at deploy time (element kinds, sequence flows by source and target, Zeebe
 * extension values kept as their raw `=`-expressions).
 */

/** An input or output variable mapping (`zeebe:input` / `zeebe:output`). */
export interface Mapping {
  source: string;
  target: string;
}

/** The kinds of event definitions the engine interprets. */
export type EventKind = 'none' | 'message' | 'signal' | 'timer' | 'error' | 'escalation' | 'terminate' | 'compensate';

/** A timer definition: which of the three BPMN timer forms and its (possibly FEEL) value. */
export interface TimerDefinition {
  kind: 'duration' | 'date' | 'cycle';
  value: string;
}

/** The event definition of an event element. */
export interface EventDefinition {
  kind: EventKind;
  messageName?: string;
  correlationKey?: string;
  /** A signal's name (possibly a FEEL expression). */
  signalName?: string;
  timer?: TimerDefinition;
  /** Error or escalation code; undefined for a catch-all. */
  code?: string;
  /** Compensation throw: the activity to compensate; undefined compensates the whole scope. */
  activityRef?: string;
}

/** Multi-instance loop characteristics with Zeebe's extension values. */
export interface MultiInstance {
  sequential: boolean;
  inputCollection: string;
  inputElement?: string;
  outputCollection?: string;
  outputElement?: string;
  completionCondition?: string;
}

/** The Camunda user task settings (`zeebe:userTask` and friends). */
export interface UserTaskDefinition {
  formId?: string;
  formKey?: string;
  externalFormReference?: string;
  assignee?: string;
  candidateGroups?: string;
  candidateUsers?: string;
  dueDate?: string;
  followUpDate?: string;
  priority?: string;
}

/** The element categories the interpreter distinguishes. */
export type ElementKind =
  | 'process'
  | 'startEvent'
  | 'endEvent'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent'
  | 'jobTask'
  | 'userTask'
  | 'receiveTask'
  | 'passThroughTask'
  | 'exclusiveGateway'
  | 'eventBasedGateway'
  | 'inclusiveGateway'
  | 'parallelGateway'
  | 'subProcess'
  | 'eventSubProcess'
  | 'callActivity';

/** One flow node (or the process itself) of a deployed process. */
export interface ElementModel {
  id: string;
  name?: string;
  kind: ElementKind;
  /** The BPMN type as Zeebe reports it, e.g. SERVICE_TASK. */
  bpmnElementType: string;
  /** The id of the enclosing scope element (process or subprocess). */
  parentId?: string;
  incoming: string[];
  outgoing: string[];
  inputs: Mapping[];
  outputs: Mapping[];
  event?: EventDefinition;
  /** For a job-based task: the job type and retries expressions and custom headers. */
  job?: { type: string; retries: string; headers: Record<string, string> };
  userTask?: UserTaskDefinition;
  multiInstance?: MultiInstance;
  defaultFlowId?: string;
  /** For a boundary event: the activity it is attached to and whether it interrupts. */
  attachedToId?: string;
  interrupting?: boolean;
  /** For activities: their boundary events. */
  boundaryIds: string[];
  /** For scopes (process, subprocesses): the none start event and event subprocesses. */
  noneStartId?: string;
  eventSubProcessIds: string[];
  /** For scopes: every direct child flow node id. */
  childIds: string[];
  /** For an activity with a compensation boundary event: the handler activity's id. */
  compensationHandlerId?: string;
  isForCompensation: boolean;
  /** For a call activity: the called process id expression and variable propagation flags. */
  calledElement?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
}

/** A sequence flow. */
export interface FlowModel {
  id: string;
  sourceId: string;
  targetId: string;
  condition?: string;
}

/** A parsed, validated process. */
export interface ProcessModel {
  bpmnProcessId: string;
  name?: string;
  elements: Record<string, ElementModel>;
  flows: Record<string, FlowModel>;
  /** Message start events of the process (top level). */
  messageStartIds: string[];
  /** Timer start events of the process (top level). */
  timerStartIds: string[];
  /** Signal start events of the process (top level). */
  signalStartIds: string[];
}
