/**
 * The building blocks an analyst inserts, as data: which elements, from which template with
 * which values, where (relative to the block's top-left corner) and how they connect. Each recipe
 * mirrors the corresponding part of bpmn/src/order-fulfillment-v1.ts, so a block inserted in the
 * Modeler behaves like that part of the reference model and lints clean.
 */
import { repairOutcomeVariable } from '../../../connector-runtime/src/jobs/model-names';
import type { Point } from '../host-services';

/** Template ids the blocks use. */
export const blockTemplates = {
  loadPlan: 'fulfillment-pack.load-fulfillment-plan',
  executeTask: 'fulfillment-pack.execute-fulfillment-task',
  submitRequest: 'fulfillment-pack.submit-external-task-request',
  awaitCallback: 'fulfillment-pack.await-callback',
  timeoutBoundary: 'fulfillment-pack.timeout-boundary',
  applyResult: 'fulfillment-pack.apply-external-task-result',
  applyTimeout: 'fulfillment-pack.apply-fulfillment-timeout',
  openFallout: 'fulfillment-pack.open-fulfillment-fallout',
  manualTask: 'fulfillment-pack.manual-task',
  applyDecision: 'fulfillment-pack.apply-manual-decision',
  falloutRepaired: 'fulfillment-pack.fallout-repaired',
  compensate: 'fulfillment-pack.execute-compensation-task',
} as const;

/** Ids of the blocks, as the palette, the menus and `fulfillmentBlocks.insert` name them. */
export const blockIds = ['execute-task', 'await-callback', 'manual-task', 'fallout-repair', 'compensation', 'phase'] as const;

/** One block id. */
export type BlockId = (typeof blockIds)[number];

/** Reference to the element the block is appended to (or, for compensation, attached to). */
export const appendToKey = '$appendTo';

/** One element of a block. */
export interface RecipeNode {
  key: string;
  type: string;
  name?: string;
  eventDefinition?: string;
  template?: string;
  /** Values of editable template properties, by property id. */
  values?: Record<string, string>;
  /** Centre, relative to the block's top-left corner (boundaries: ignored, see `attachTo`). */
  at: Point;
  /** Size of an expanded subprocess. */
  size?: { width: number; height: number };
  /** Key of the expanded subprocess the element sits in. */
  parent?: string;
  /** Key of the activity a boundary event is attached to, and where along its bottom edge (0..1). */
  attachTo?: string;
  attachAt?: number;
  cancelActivity?: boolean;
  isForCompensation?: boolean;
  /** A parallel multi-instance over a FEEL collection. */
  multiInstance?: { inputCollection: string; inputElement: string };
  /** Input mappings of the element itself (variables local to each iteration). */
  localVariables?: string[];
}

/** A sequence flow (or, for compensation, an association) between two elements. */
export interface RecipeConnection {
  from: string;
  to: string;
  name?: string;
  condition?: string;
  isDefault?: boolean;
  association?: boolean;
  /** Bend points, relative like node centres. */
  via?: Point[];
}

/** A whole block. */
export interface BlockRecipe {
  id: BlockId;
  label: string;
  description: string;
  nodes: RecipeNode[];
  connections: RecipeConnection[];
  /** The element a flow from `appendTo` enters; the compensation block has none (it attaches). */
  entry?: string;
  /** True when the block must be attached to an existing activity. */
  attachesToHost?: boolean;
}

const task = (key: string, name: string, at: Point, template: string, extra: Partial<RecipeNode> = {}): RecipeNode => ({
  key,
  type: template === blockTemplates.manualTask ? 'bpmn:UserTask' : 'bpmn:ServiceTask',
  name,
  at,
  template,
  ...extra,
});

const messageCatch = (key: string, name: string, at: Point, template: string, extra: Partial<RecipeNode> = {}): RecipeNode => ({
  key,
  type: 'bpmn:IntermediateCatchEvent',
  eventDefinition: 'bpmn:MessageEventDefinition',
  name,
  at,
  template,
  ...extra,
});

const executeTask: BlockRecipe = {
  id: 'execute-task',
  label: 'Execute fulfillment task',
  description: 'A synchronous fulfillment task: claims the ready task and performs it (execute-fulfillment-task).',
  nodes: [task('ExecuteTask', 'Execute fulfillment task', { x: 50, y: 40 }, blockTemplates.executeTask)],
  connections: [],
  entry: 'ExecuteTask',
};

/**
 * Submit, then wait for the owner system's callback. A catch event cannot carry a boundary, so,
 * as in the model, the catch sits in an "Await callback" subprocess that carries the timeout; on
 * timeout the policy is applied and the fallout route opens and waits for the repair.
 */
const awaitCallback: BlockRecipe = {
  id: 'await-callback',
  label: 'Submit and await callback',
  description: 'Submits the external request, awaits the signed callback under the task timeout, and routes a timeout to fallout.',
  nodes: [
    task('SubmitRequest', 'Submit external request', { x: 50, y: 90 }, blockTemplates.submitRequest),
    { key: 'AwaitCallback', type: 'bpmn:SubProcess', name: 'Await callback', at: { x: 330, y: 90 }, size: { width: 300, height: 180 } },
    { key: 'AwaitStart', type: 'bpmn:StartEvent', name: 'Waiting', at: { x: 230, y: 90 }, parent: 'AwaitCallback' },
    messageCatch('AwaitMessage', 'Callback', { x: 330, y: 90 }, blockTemplates.awaitCallback, { parent: 'AwaitCallback' }),
    { key: 'AwaitEnd', type: 'bpmn:EndEvent', name: 'Callback received', at: { x: 430, y: 90 }, parent: 'AwaitCallback' },
    {
      key: 'TaskTimeout',
      type: 'bpmn:BoundaryEvent',
      eventDefinition: 'bpmn:TimerEventDefinition',
      name: 'Task timeout',
      at: { x: 0, y: 0 },
      attachTo: 'AwaitCallback',
      attachAt: 0.25,
      template: blockTemplates.timeoutBoundary,
    },
    task('ApplyResult', 'Apply external result', { x: 610, y: 90 }, blockTemplates.applyResult),
    task('ApplyTimeout', 'Apply timeout policy', { x: 305, y: 300 }, blockTemplates.applyTimeout),
    task('OpenFallout', 'Open fallout case', { x: 455, y: 300 }, blockTemplates.openFallout),
    messageCatch('AwaitRepair', 'Fallout repaired', { x: 585, y: 300 }, blockTemplates.falloutRepaired),
    { key: 'Repaired', type: 'bpmn:EndEvent', name: 'Repaired', at: { x: 675, y: 300 } },
  ],
  connections: [
    { from: 'SubmitRequest', to: 'AwaitCallback' },
    { from: 'AwaitStart', to: 'AwaitMessage' },
    { from: 'AwaitMessage', to: 'AwaitEnd' },
    { from: 'AwaitCallback', to: 'ApplyResult' },
    { from: 'TaskTimeout', to: 'ApplyTimeout', via: [{ x: 255, y: 300 }] },
    { from: 'ApplyTimeout', to: 'OpenFallout' },
    { from: 'OpenFallout', to: 'AwaitRepair' },
    { from: 'AwaitRepair', to: 'Repaired' },
  ],
  entry: 'SubmitRequest',
};

const manualTask: BlockRecipe = {
  id: 'manual-task',
  label: 'Manual task',
  description: 'A person decides in Tasklist through the form of the task type; the decision goes through apply-manual-decision.',
  nodes: [
    task('ManualTask', 'Manual task', { x: 50, y: 40 }, blockTemplates.manualTask),
    task('ApplyManualDecision', 'Apply manual decision', { x: 200, y: 40 }, blockTemplates.applyDecision),
  ],
  connections: [{ from: 'ManualTask', to: 'ApplyManualDecision' }],
  entry: 'ManualTask',
};

/**
 * The model's fallout route: open the case, a person decides the repair (unless it was repaired in
 * the OMS console first), apply the decision, wait for fulfillment-fallout-repaired, and retry
 * when the repair says RETRY: back to the element the block was appended to (the task that fell
 * out), or to the block's start when it stands alone.
 */
const falloutRepair: BlockRecipe = {
  id: 'fallout-repair',
  label: 'Fallout and repair',
  description: 'Opens a fallout case, lets a person decide the repair, waits for fulfillment-fallout-repaired and retries on RETRY.',
  nodes: [
    task('OpenFallout', 'Open fallout case', { x: 50, y: 80 }, blockTemplates.openFallout),
    task('DecideRepair', 'Decide repair', { x: 200, y: 80 }, blockTemplates.manualTask, { values: { 'form.formId': 'fallout-repair-decision' } }),
    {
      key: 'RepairedElsewhere',
      type: 'bpmn:BoundaryEvent',
      eventDefinition: 'bpmn:MessageEventDefinition',
      name: 'Repaired in OMS console',
      at: { x: 0, y: 0 },
      attachTo: 'DecideRepair',
      attachAt: 0.7,
      template: blockTemplates.falloutRepaired,
    },
    task('ApplyRepairDecision', 'Apply repair decision', { x: 350, y: 80 }, blockTemplates.applyDecision),
    messageCatch('AwaitRepair', 'Fallout repaired', { x: 480, y: 80 }, blockTemplates.falloutRepaired),
    { key: 'RepairedJoin', type: 'bpmn:ExclusiveGateway', at: { x: 570, y: 80 } },
    { key: 'RepairGateway', type: 'bpmn:ExclusiveGateway', name: 'Repair outcome?', at: { x: 660, y: 80 } },
  ],
  connections: [
    { from: 'OpenFallout', to: 'DecideRepair' },
    { from: 'DecideRepair', to: 'ApplyRepairDecision' },
    { from: 'ApplyRepairDecision', to: 'AwaitRepair' },
    { from: 'AwaitRepair', to: 'RepairedJoin' },
    { from: 'RepairedElsewhere', to: 'RepairedJoin', via: [{ x: 220, y: 190 }, { x: 570, y: 190 }] },
    { from: 'RepairedJoin', to: 'RepairGateway' },
    { from: 'RepairGateway', to: appendToKey, name: 'retry', condition: `=${repairOutcomeVariable} = "RETRY"`, via: [{ x: 660, y: 0 }] },
  ],
  entry: 'OpenFallout',
};

/** A compensation boundary on the target task and its handler, as in the model's installed-base undo. */
const compensation: BlockRecipe = {
  id: 'compensation',
  label: 'Compensation',
  description: 'Attaches a compensation boundary to the selected task with an execute-compensation-task handler.',
  nodes: [
    {
      key: 'Undo',
      type: 'bpmn:BoundaryEvent',
      eventDefinition: 'bpmn:CompensateEventDefinition',
      name: 'Undo',
      at: { x: 0, y: 0 },
      attachTo: appendToKey,
      attachAt: 0.3,
    },
    task('UndoTask', 'Undo task', { x: 50, y: 40 }, blockTemplates.compensate, { isForCompensation: true }),
  ],
  connections: [{ from: 'Undo', to: 'UndoTask', association: true }],
  attachesToHost: true,
};

/** Variables each task iteration keeps to itself (the execute task's outputs), as in the model. */
const iterationLocals = ['currentTaskResult', 'currentTaskType', 'taskExecutionMode', 'taskTimeout', 'taskReminder', 'moreReadyTasks', 'allRequiredTasksDone', 'falloutReason', 'manualTaskView'];

/** The model's phase: load the ready tasks, run them as a parallel multi-instance, repeat while any is ready. */
const phase: BlockRecipe = {
  id: 'phase',
  label: 'Fulfillment phase',
  description: 'An expanded phase subprocess with the execution loop: load ready tasks, run them in parallel, repeat while any is ready.',
  nodes: [
    { key: 'Phase', type: 'bpmn:SubProcess', name: 'Phase', at: { x: 510, y: 200 }, size: { width: 1020, height: 400 } },
    { key: 'PhaseStart', type: 'bpmn:StartEvent', name: 'Phase started', at: { x: 70, y: 150 }, parent: 'Phase' },
    { key: 'LoopJoin', type: 'bpmn:ExclusiveGateway', at: { x: 160, y: 150 }, parent: 'Phase' },
    task('LoadReadyTasks', 'Load ready tasks', { x: 290, y: 150 }, blockTemplates.loadPlan, { parent: 'Phase' }),
    { key: 'AnyReady', type: 'bpmn:ExclusiveGateway', name: 'Ready tasks?', at: { x: 420, y: 150 }, parent: 'Phase' },
    { key: 'PhaseDone', type: 'bpmn:EndEvent', name: 'Phase done', at: { x: 420, y: 320 }, parent: 'Phase' },
    {
      key: 'RunReadyTasks',
      type: 'bpmn:SubProcess',
      name: 'Run ready task',
      at: { x: 740, y: 150 },
      size: { width: 440, height: 200 },
      parent: 'Phase',
      multiInstance: { inputCollection: '=readyTaskIds', inputElement: 'currentTaskId' },
      localVariables: iterationLocals,
    },
    { key: 'TaskStart', type: 'bpmn:StartEvent', name: 'Task ready', at: { x: 580, y: 150 }, parent: 'RunReadyTasks' },
    task('ExecuteTask', 'Execute fulfillment task', { x: 740, y: 150 }, blockTemplates.executeTask, { parent: 'RunReadyTasks' }),
    { key: 'TaskDone', type: 'bpmn:EndEvent', name: 'Task done', at: { x: 900, y: 150 }, parent: 'RunReadyTasks' },
  ],
  connections: [
    { from: 'PhaseStart', to: 'LoopJoin' },
    { from: 'LoopJoin', to: 'LoadReadyTasks' },
    { from: 'LoadReadyTasks', to: 'AnyReady' },
    { from: 'AnyReady', to: 'RunReadyTasks', name: 'yes', condition: '=count(readyTaskIds) > 0' },
    { from: 'AnyReady', to: 'PhaseDone', name: 'no', isDefault: true },
    { from: 'TaskStart', to: 'ExecuteTask' },
    { from: 'ExecuteTask', to: 'TaskDone' },
    { from: 'RunReadyTasks', to: 'LoopJoin', via: [{ x: 740, y: 30 }, { x: 160, y: 30 }] },
  ],
  entry: 'Phase',
};

/** Every block by id, in palette order. */
export const blockRecipes: Record<BlockId, BlockRecipe> = {
  'execute-task': executeTask,
  'await-callback': awaitCallback,
  'manual-task': manualTask,
  'fallout-repair': falloutRepair,
  compensation,
  phase,
};
