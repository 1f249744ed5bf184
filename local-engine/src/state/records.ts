/**
 * The engine's state as plain JSON records, so that it can be written to PostgreSQL record by
 * record and read back after a restart. Keys are numbers below 2^53 (Zeebe's partition-1 key
 * range) and travel as int64 decimal strings on the wire.
 */

/** A deployed process definition; its model is re-parsed from the stored XML on load. */
export interface ProcessDefinitionRecord {
  key: number;
  bpmnProcessId: string;
  version: number;
  resourceName: string;
  checksum: string;
  xml: string;
  tenantId: string;
  deploymentKey: number;
}

/** A deployed form (`.form`, form-js schema). */
export interface FormRecord {
  key: number;
  formId: string;
  version: number;
  resourceName: string;
  checksum: string;
  schema: string;
  tenantId: string;
  deploymentKey: number;
}

/**
 * What is left of a deleted process definition or form: the version it had, because Zeebe never
 * hands out a version of an id twice (docs/8.8 components/concepts/resource-deletion).
 */
export interface DeletedResourceRecord {
  /** The key the definition or form had. */
  key: number;
  kind: 'process' | 'form';
  /** The bpmnProcessId or formId. */
  resourceId: string;
  version: number;
  tenantId: string;
}

/** Lifecycle states of element instances, named as Zeebe's intents. */
export type ElementState = 'ACTIVATING' | 'ACTIVATED' | 'COMPLETING' | 'COMPLETED' | 'TERMINATING' | 'TERMINATED';

/** An element instance; the process instance itself is the element instance of the process. */
export interface ElementInstanceRecord {
  key: number;
  processInstanceKey: number;
  processDefinitionKey: number;
  bpmnProcessId: string;
  elementId: string;
  bpmnElementType: string;
  /** The enclosing element instance (flow scope); absent for the process instance. */
  flowScopeKey?: number;
  state: ElementState;
  tenantId: string;
  startDate: number;
  endDate?: number;
  /** Number of active child element instances (for scope completion). */
  activeChildren: number;
  /** Tokens waiting at parallel joins: gatewayId -> flowId -> count. */
  joins?: Record<string, Record<string, number>>;
  /** The job, user task, subscriptions and timers this instance owns. */
  jobKey?: number;
  userTaskKey?: number;
  subscriptionKeys?: number[];
  timerKeys?: number[];
  /** Multi-instance body bookkeeping. */
  isMultiInstanceBody?: boolean;
  loopCounter?: number;
  multiInstance?: { items: unknown[]; next: number; completed: number; active: number };
  /** A compensation throw event waiting for its handlers. */
  awaitingCompensation?: number;
  /** The compensation throw event a handler reports to. */
  compensationThrowKey?: number;
  /** The active incident on this element instance, if any. */
  incident?: number;
  /** For a call activity: the child process instance; for a child process: its parent. */
  calledInstanceKey?: number;
  parentElementInstanceKey?: number;
  parentProcessInstanceKey?: number;
  /** Counts interruptions by interrupting event subprocesses: tokens in flight stop when it changes. */
  interruptions?: number;
}

/** Job states as Zeebe's job intents describe them. */
export type JobState = 'ACTIVATABLE' | 'ACTIVATED' | 'FAILED' | 'ERROR_THROWN' | 'BACKOFF';

/** A job for a worker. */
export interface JobRecord {
  key: number;
  type: string;
  processInstanceKey: number;
  processDefinitionKey: number;
  processDefinitionVersion: number;
  bpmnProcessId: string;
  elementId: string;
  elementInstanceKey: number;
  customHeaders: Record<string, string>;
  retries: number;
  state: JobState;
  worker: string;
  deadline: number;
  recurAt?: number;
  errorMessage: string;
  tenantId: string;
  incidentKey?: number;
  created: number;
}

/**
 * An open message or signal subscription of an element instance (catch event, receive task,
 * boundary, event subprocess, event-based gateway). A signal subscription has `signal` set, the
 * signal's name in `messageName` and no correlation key.
 */
export interface MessageSubscriptionRecord {
  key: number;
  signal?: true;
  messageName: string;
  correlationKey: string;
  processInstanceKey: number;
  bpmnProcessId: string;
  /** The element instance that owns it: the activity (boundary), the scope (event subprocess) or the catch event. */
  elementInstanceKey: number;
  /** The element to trigger: the catch event, boundary event or event-subprocess start. */
  catchElementId: string;
  interrupting: boolean;
  tenantId: string;
}

/** A message published with a TTL, kept until it expires. */
export interface MessageRecord {
  key: number;
  name: string;
  correlationKey: string;
  messageId: string;
  variables: Record<string, unknown>;
  deadline: number;
  tenantId: string;
  /** bpmnProcessIds it was correlated to: a message correlates at most once per process. */
  correlatedProcesses: string[];
}

/** An armed timer. */
export interface TimerRecord {
  key: number;
  processInstanceKey: number;
  elementInstanceKey: number;
  catchElementId: string;
  dueDate: number;
  /** Remaining repetitions for a cycle (-1 = unbounded); 0 when not a cycle. */
  repetitions: number;
  interval?: string;
  interrupting: boolean;
  tenantId: string;
}

/**
 * A timer of a process's timer start event (docs: timer start events): armed at deployment for
 * the latest version, it creates an instance when due; a cycle re-arms while repetitions remain.
 */
export interface StartTimerRecord {
  key: number;
  processDefinitionKey: number;
  bpmnProcessId: string;
  startElementId: string;
  dueDate: number;
  /** Remaining repetitions for a cycle (-1 = unbounded); 0 for a date. */
  repetitions: number;
  interval?: string;
  tenantId: string;
}

/** Incident states. */
export type IncidentState = 'ACTIVE' | 'RESOLVED';

/** An incident. */
export interface IncidentRecord {
  key: number;
  errorType: string;
  errorMessage: string;
  processInstanceKey: number;
  processDefinitionKey: number;
  bpmnProcessId: string;
  elementId: string;
  elementInstanceKey: number;
  jobKey?: number;
  state: IncidentState;
  created: number;
  tenantId: string;
  /** What to retry on resolution when not a job incident. */
  retry?: 'activate' | 'complete' | 'error';
  /** Pending error for an unhandled error incident. */
  error?: { code: string; message: string; variables: Record<string, unknown> };
}

/** A Camunda user task (`zeebe:userTask`). */
export interface UserTaskRecord {
  key: number;
  elementInstanceKey: number;
  processInstanceKey: number;
  processDefinitionKey: number;
  processDefinitionVersion: number;
  bpmnProcessId: string;
  elementId: string;
  name?: string;
  state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  dueDate?: string;
  followUpDate?: string;
  priority: number;
  formKey?: number;
  externalFormReference?: string;
  customHeaders: Record<string, string>;
  creationDate: number;
  completionDate?: number;
  tenantId: string;
}

/** A completed activity with a compensation handler, kept until compensated or its scope ends. */
export interface CompensationRecord {
  key: number;
  processInstanceKey: number;
  /** The flow scope instance in which the activity completed. */
  flowScopeKey: number;
  elementId: string;
  handlerId: string;
  /** The activity's local variables, visible to its handler. */
  variables: Record<string, unknown>;
}

/**
 * Variables of one scope (element instance key). They outlive their scope: an ended scope keeps
 * its last variables as history for the REST searches, as Camunda's secondary storage keeps the
 * exported variable records, until the engine forgets the process instance (`historyLimit`).
 */
export type ScopeVariables = Record<string, unknown>;

/** Collections of the state, by name, with the record type each holds. */
export interface StateCollections {
  processes: ProcessDefinitionRecord;
  forms: FormRecord;
  deletedResources: DeletedResourceRecord;
  elements: ElementInstanceRecord;
  variables: ScopeVariables;
  jobs: JobRecord;
  subscriptions: MessageSubscriptionRecord;
  messages: MessageRecord;
  timers: TimerRecord;
  startTimers: StartTimerRecord;
  incidents: IncidentRecord;
  userTasks: UserTaskRecord;
  compensations: CompensationRecord;
}

/** Names of the collections. */
export type CollectionName = keyof StateCollections;

/** All collection names, in load order. */
export const collectionNames: CollectionName[] = [
  'processes',
  'forms',
  'deletedResources',
  'elements',
  'variables',
  'jobs',
  'subscriptions',
  'messages',
  'timers',
  'startTimers',
  'incidents',
  'userTasks',
  'compensations',
];
