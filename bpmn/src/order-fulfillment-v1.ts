/**
 * The order-fulfillment-v1 model (docs/architecture.md §7, seed §3, §4, §12–§19, §24, §25), built only from our
 * element templates. Major phases are explicit, detailed tasks dynamic: each phase is a collapsed
 * subprocess running the same execution loop over the plan's ready tasks of that phase. After the
 * phases, in the same cancellable scope: the installed-base update with its BPMN compensation and
 * finalize (the domain decides the end state, seed §19). Around them: cancellation (the domain's
 * compensation plan, one step at a time), the reverted installed base when completion is refused,
 * and the plan-level fallout route. Every end state of seed §3 is an end event.
 */
import { eventTemplateIds } from '../../element-templates/src/event-templates';
import { headerSwitchId } from '../../element-templates/src/job-template';
import type { ElementTemplate } from '../../element-templates/src/template-types';
import { callbackMessages, fulfillmentEndStates, fulfillmentPhases } from '../../connector-runtime/src/domain/vocabulary';
import type { FulfillmentEndState, FulfillmentPhase } from '../../connector-runtime/src/domain/vocabulary';
import { manualTaskForms, orderFulfillmentProcessId, repairOutcomeVariable } from '../../connector-runtime/src/jobs/model-names';
import { manualTaskViewVariable } from '../../connector-runtime/src/jobs/manual-task-view';
import type { IoParameter } from './apply-template';
import type { Point } from './process-graph';
import { ScopeBuilder } from './scope-builder';
import type { LabelPlacement } from './scope-builder';
import { templateLookup } from './template-catalog';
import type { ProcessDocument } from './to-bpmn-xml';

const template = {
  loadPlan: 'fulfillment-pack.load-fulfillment-plan',
  executeTask: 'fulfillment-pack.execute-fulfillment-task',
  submitRequest: 'fulfillment-pack.submit-external-task-request',
  applyResult: 'fulfillment-pack.apply-external-task-result',
  applyTimeout: 'fulfillment-pack.apply-fulfillment-timeout',
  openFallout: 'fulfillment-pack.open-fulfillment-fallout',
  applyDecision: 'fulfillment-pack.apply-manual-decision',
  startCompensation: 'fulfillment-pack.start-compensation',
  compensate: 'fulfillment-pack.execute-compensation-task',
  installedBase: 'fulfillment-pack.apply-installed-base-impact',
  finalize: 'fulfillment-pack.finalize-order-fulfillment',
  ...eventTemplateIds,
} as const;

const phaseNames: Record<FulfillmentPhase, { id: string; label: string }> = {
  VALIDATION: { id: 'Validation', label: 'Validation' },
  RESERVATION: { id: 'Reservation', label: 'Reservation' },
  PROVISIONING: { id: 'Provisioning', label: 'Provisioning' },
  ACTIVATION: { id: 'Activation', label: 'Activation' },
  INSTALLED_BASE: { id: 'InstalledBase', label: 'Installed base' },
  COMPLETION: { id: 'Completion', label: 'Completion' },
};

const endStateNames: Record<FulfillmentEndState, string> = {
  COMPLETED: 'Completed',
  PARTIALLY_COMPLETED: 'Partially completed',
  CANCELLED: 'Cancelled',
  FAILED_WITH_FALLOUT: 'Failed with fallout',
  COMPENSATED: 'Compensated',
  MANUAL_CLOSED: 'Manually closed',
};

/** Id of the end event of an end state; the model test reads the end states back from these. */
export function endEventId(state: FulfillmentEndState): string {
  return `End_${state}`;
}

const feelList = (values: readonly string[]) => `[${values.map((value) => `"${value}"`).join(', ')}]`;
const isOneOf = (variable: string, values: readonly string[]) =>
  values.length === 1 ? `=${variable} = "${values[0]}"` : `=list contains(${feelList(values)}, ${variable})`;

/**
 * Where the soft reminder's answer goes. Nothing routes on it, and names of its own keep a late
 * answer from overwriting what the callback or the hard timeout decided for the task.
 */
const reminderOutputs = {
  'output.currentTaskResult': 'reminderTaskResult',
  'output.timeoutAction': 'reminderAction',
  'output.falloutReason': 'reminderFalloutReason',
};

/**
 * Variables each task iteration keeps to itself: job results, the form's view and submission, the
 * repair outcome. Declared local (null) on the multi-instance body, so parallel tasks never
 * overwrite each other and nothing of one task leaks to the process root (seed §5).
 */
const iterationLocals = [
  'currentTaskResult',
  'currentTaskType',
  'taskExecutionMode',
  'taskTimeout',
  'taskReminder',
  'moreReadyTasks',
  'allRequiredTasksDone',
  'falloutReason',
  'timeoutAction',
  manualTaskViewVariable,
  'decision',
  'reason',
  'evidenceReference',
  'approvalReference',
  'falloutCaseId',
  repairOutcomeVariable,
  ...Object.values(reminderOutputs),
];
const localNull = (target: string): IoParameter => ({ source: '=null', target });

/** Working variables of the plan-level fallout route, kept out of the process root. */
const planFalloutLocals = [
  manualTaskViewVariable,
  'falloutCaseId',
  'decision',
  'reason',
  'evidenceReference',
  'approvalReference',
  'currentTaskResult',
  'moreReadyTasks',
  'allRequiredTasksDone',
];

const at = (x: number, y: number): Point => ({ x, y });

/**
 * Template values that set optional headers (`{ phase: 'VALIDATION' }`): each header's dropdown
 * only applies while its "Set …" checkbox is ticked, so both are given.
 */
const headers = (values: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).flatMap(([key, value]) => [[headerSwitchId(key), 'true'], [`header.${key}`, value]]));

/**
 * The fallout route of one task or of the plan: open the case, let a person decide the repair
 * (unless the repair arrives from the OMS console first), apply the decision through the domain,
 * and wait for the domain's `fulfillment-fallout-repaired` (seed §17). Laid out left to right from
 * `origin` (the centre of the open-fallout task).
 */
function falloutRoute(scope: ScopeBuilder, prefix: string, origin: Point, phase: FulfillmentPhase | undefined, planLevel: boolean): { first: string; last: string } {
  const phaseValue: Record<string, string> = phase ? headers({ phase }) : {};
  const y = origin.y;
  scope.block(`${prefix}OpenFallout`, 'Open fallout case', at(origin.x, y), template.openFallout, {
    values: planLevel ? headers({ severity: 'HIGH' }) : phaseValue,
  });
  scope.block(`${prefix}DecideRepair`, 'Decide repair', at(origin.x + 150, y), template.manualTask, {
    values: { 'form.formId': 'fallout-repair-decision' },
  });
  scope.boundary(`${prefix}RepairedElsewhere`, 'Repaired in OMS console', `${prefix}DecideRepair`, 70, template.falloutRepaired);
  scope.block(`${prefix}ApplyRepairDecision`, 'Apply repair decision', at(origin.x + 300, y), template.applyDecision, { values: phaseValue });
  scope.block(`${prefix}AwaitRepair`, 'Fallout repaired', at(origin.x + 430, y), template.falloutRepaired);
  scope.gateway(`${prefix}RepairedJoin`, undefined, at(origin.x + 520, y));
  scope.flow(`${prefix}Flow_FalloutOpened`, `${prefix}OpenFallout`, `${prefix}DecideRepair`);
  scope.flow(`${prefix}Flow_RepairDecided`, `${prefix}DecideRepair`, `${prefix}ApplyRepairDecision`);
  scope.flow(`${prefix}Flow_RepairApplied`, `${prefix}ApplyRepairDecision`, `${prefix}AwaitRepair`);
  scope.flow(`${prefix}Flow_Repaired`, `${prefix}AwaitRepair`, `${prefix}RepairedJoin`);
  scope.flow(`${prefix}Flow_RepairedElsewhere`, `${prefix}RepairedElsewhere`, `${prefix}RepairedJoin`, {
    via: [at(origin.x + 170, y + 110), at(origin.x + 520, y + 110)],
  });
  return { first: `${prefix}OpenFallout`, last: `${prefix}RepairedJoin` };
}

/**
 * The per-task body of the phase loop: route by execution mode, apply the result, handle fallout.
 * A gateway's branches leave it on separate sides, and at most two share a side: one turns off
 * close to the gateway, the other goes on. So every branch label sits beside its gateway.
 */
function taskIteration(scope: ScopeBuilder, p: string, phase: FulfillmentPhase): void {
  const phaseValue = headers({ phase });
  const resultJoinX = 2330;
  scope.start(`${p}TaskStart`, 'Task ready', at(780, 200));
  scope.gateway(`${p}ExecuteJoin`, undefined, at(870, 200));
  scope.block(`${p}ExecuteTask`, 'Execute fulfillment task', at(990, 200), template.executeTask, { values: phaseValue });
  scope.gateway(`${p}ModeGateway`, 'Execution mode?', at(1120, 200), 'aboveLeft');
  scope.gateway(`${p}ResultJoin`, undefined, at(resultJoinX, 200));
  scope.gateway(`${p}OutcomeGateway`, 'Fallout?', at(2430, 200));
  scope.end(`${p}TaskDone`, 'Task done', at(2540, 200));
  scope.flow(`${p}Flow_TaskStarted`, `${p}TaskStart`, `${p}ExecuteJoin`);
  scope.flow(`${p}Flow_Execute`, `${p}ExecuteJoin`, `${p}ExecuteTask`);
  scope.flow(`${p}Flow_Executed`, `${p}ExecuteTask`, `${p}ModeGateway`);
  // Four modes, three free sides: synchronous over the top, wait-only to the right, asynchronous
  // and manual down (asynchronous turns off first).
  scope.flow(`${p}Flow_Synchronous`, `${p}ModeGateway`, `${p}ResultJoin`, {
    name: 'done (sync)',
    isDefault: true,
    via: [at(1120, 140), at(resultJoinX, 140)],
  });

  // Asynchronous: submit, then wait for the owner system's callback under the task's timeout.
  const awaitJoinX = 1375;
  scope.block(`${p}SubmitRequest`, 'Submit external request', at(1210, 420), template.submitRequest, { values: phaseValue });
  scope.gateway(`${p}AwaitJoin`, undefined, at(awaitJoinX, 420));
  scope.subProcess(`${p}AwaitCallback`, 'Await callback', (wait) => {
    wait.start(`${p}AwaitStart`, 'Waiting', at(1520, 420));
    wait.gateway(`${p}CallbackGateway`, 'Which callback?', at(1610, 420), 'aboveLeft');
    wait.gateway(`${p}CallbackJoin`, undefined, at(1900, 420));
    wait.end(`${p}CallbackReceived`, 'Callback received', at(1980, 420));
    wait.flow(`${p}Flow_AwaitStarted`, `${p}AwaitStart`, `${p}CallbackGateway`);
    // One callback over the top, one straight on, two down the bottom side.
    callbackMessages.forEach((message, index) => {
      const y = 350 + index * 70;
      const id = `${p}Await_${message.name.replace(/-/g, '_')}`;
      wait.block(id, message.label, at(1790, y), template.awaitCallback, { values: { 'message.name': message.name } });
      wait.flow(`${p}Flow_Expect_${message.name.replace(/-/g, '_')}`, `${p}CallbackGateway`, id, {
        name: message.label.toLowerCase(),
        condition: isOneOf('currentTaskType', message.awaitedBy),
      });
      wait.flow(`${p}Flow_Got_${message.name.replace(/-/g, '_')}`, id, `${p}CallbackJoin`);
    });
    wait.flow(`${p}Flow_CallbackDone`, `${p}CallbackJoin`, `${p}CallbackReceived`);
  });
  scope.block(`${p}ApplyResult`, 'Apply external result', at(2170, 420), template.applyResult, { values: phaseValue });
  scope.flow(`${p}Flow_Asynchronous`, `${p}ModeGateway`, `${p}SubmitRequest`, {
    name: 'async',
    condition: '=taskExecutionMode = "AUTOMATED_ASYNC"',
    via: [at(1120, 262), at(1180, 262)],
  });
  scope.flow(`${p}Flow_WaitOnly`, `${p}ModeGateway`, `${p}AwaitJoin`, {
    name: 'wait only',
    condition: '=taskExecutionMode = "WAIT_ONLY"',
    via: [at(awaitJoinX, 200)],
  });
  // A partner that refuses the request outright (HTTP 4xx) leaves nothing to wait for: fallout.
  const submitOutcomeX = 1305;
  scope.gateway(`${p}SubmitOutcome`, 'Accepted?', at(submitOutcomeX, 420), 'aboveLeft');
  scope.flow(`${p}Flow_Submitted`, `${p}SubmitRequest`, `${p}SubmitOutcome`);
  scope.flow(`${p}Flow_Accepted`, `${p}SubmitOutcome`, `${p}AwaitJoin`, { isDefault: true });
  scope.flow(`${p}Flow_SubmitRejected`, `${p}SubmitOutcome`, `${p}ResultJoin`, {
    name: 'rejected',
    condition: '=currentTaskResult = "FALLOUT"',
    via: [at(submitOutcomeX, 240), at(resultJoinX, 240)],
  });
  const awaitBounds = scope.node(`${p}AwaitCallback`).bounds;
  scope.flow(`${p}Flow_Await`, `${p}AwaitJoin`, `${p}AwaitCallback`);
  scope.flow(`${p}Flow_CallbackArrived`, `${p}AwaitCallback`, `${p}ApplyResult`);
  scope.flow(`${p}Flow_ResultApplied`, `${p}ApplyResult`, `${p}ResultJoin`);

  // Timeout (seed §14): the policy decides; the process only routes on its answer.
  scope.boundary(`${p}TaskTimeout`, 'Task timeout', `${p}AwaitCallback`, 80, template.timeoutBoundary);
  const timeoutY = awaitBounds.y + awaitBounds.height + 90;
  scope.block(`${p}ApplyTimeout`, 'Apply timeout policy', at(1650, timeoutY), template.applyTimeout, { values: phaseValue });
  scope.gateway(`${p}TimeoutGateway`, 'Timeout action?', at(1800, timeoutY), 'aboveLeft');
  scope.flow(`${p}Flow_TimedOut`, `${p}TaskTimeout`, `${p}ApplyTimeout`);
  scope.flow(`${p}Flow_TimeoutApplied`, `${p}ApplyTimeout`, `${p}TimeoutGateway`);
  scope.flow(`${p}Flow_KeepWaiting`, `${p}TimeoutGateway`, `${p}AwaitJoin`, {
    name: 'remind / escalate',
    condition: isOneOf('timeoutAction', ['REMIND', 'ESCALATE']),
    via: [at(1800, timeoutY + 60), at(awaitJoinX, timeoutY + 60)],
  });
  const retryY = timeoutY + 95;
  scope.flow(`${p}Flow_RetryAfterTimeout`, `${p}TimeoutGateway`, `${p}ExecuteJoin`, {
    name: 'retry',
    condition: '=timeoutAction = "RETRY"',
    via: [at(1800, retryY), at(870, retryY)],
  });
  scope.flow(`${p}Flow_TimeoutHandled`, `${p}TimeoutGateway`, `${p}ResultJoin`, {
    isDefault: true,
    via: [at(resultJoinX, timeoutY)],
  });

  // Soft timeout (seed §14): the non-interrupting reminder lets the domain remind or escalate
  // while the wait goes on; the path ends there. A new wait (after REMIND) arms it again.
  const reminderX = awaitBounds.x + awaitBounds.width - 30;
  scope.boundary(`${p}TaskReminder`, 'Soft reminder', `${p}AwaitCallback`, awaitBounds.width - 30, template.reminderBoundary, { interrupting: false });
  scope.block(`${p}SendReminder`, 'Send reminder', at(reminderX, timeoutY + 100), template.applyTimeout, {
    values: { ...phaseValue, ...headers({ timeoutKind: 'SOFT_REMINDER' }), ...reminderOutputs },
  });
  scope.end(`${p}StillWaiting`, 'Still waiting', at(reminderX + 130, timeoutY + 100));
  scope.flow(`${p}Flow_ReminderDue`, `${p}TaskReminder`, `${p}SendReminder`);
  scope.flow(`${p}Flow_ReminderSent`, `${p}SendReminder`, `${p}StillWaiting`);

  // Manual (seed §13): the task type picks the form; the decision goes through the OMS. One form
  // over the top, one straight on, two down the bottom side (the first turns off early).
  const manualForms = manualTaskForms.filter((form) => form.shownFor.length > 0);
  const manualMiddle = retryY + 215;
  const formRows = manualForms.map((_, index) => manualMiddle + (index - 1) * 100);
  const formX = 1450;
  scope.gateway(`${p}FormGateway`, 'Which form?', at(1250, manualMiddle), 'aboveLeft');
  scope.gateway(`${p}FormJoin`, undefined, at(1600, manualMiddle));
  scope.block(`${p}ApplyManualDecision`, 'Apply manual decision', at(1730, manualMiddle), template.applyDecision, { values: phaseValue });
  scope.flow(`${p}Flow_Manual`, `${p}ModeGateway`, `${p}FormGateway`, { name: 'manual', condition: '=taskExecutionMode = "MANUAL"' });
  manualForms.forEach((form, index) => {
    const id = `${p}Manual_${form.id.replace(/-/g, '_')}`;
    const row = formRows[index]!;
    scope.block(id, form.label, at(formX, row), template.manualTask, { values: { 'form.formId': form.id } });
    const isDefault = index === 0;
    const name = form.label.toLowerCase();
    const turnsOffEarly = index === 2 ? { via: [at(1250, manualMiddle + 45), at(formX - 80, manualMiddle + 45), at(formX - 80, row)] } : {};
    scope.flow(`${p}Flow_Form_${form.id.replace(/-/g, '_')}`, `${p}FormGateway`, id, {
      name,
      ...(isDefault ? { isDefault } : { condition: isOneOf('currentTaskType', form.shownFor) }),
      ...turnsOffEarly,
    });
    scope.flow(`${p}Flow_Decided_${form.id.replace(/-/g, '_')}`, id, `${p}FormJoin`);
  });
  scope.flow(`${p}Flow_Decision`, `${p}FormJoin`, `${p}ApplyManualDecision`);
  scope.flow(`${p}Flow_DecisionApplied`, `${p}ApplyManualDecision`, `${p}ResultJoin`, { via: [at(resultJoinX, manualMiddle)] });

  // Result: fallout goes to repair; anything else ends this task's iteration.
  scope.flow(`${p}Flow_Result`, `${p}ResultJoin`, `${p}OutcomeGateway`);
  scope.flow(`${p}Flow_NoFallout`, `${p}OutcomeGateway`, `${p}TaskDone`, { isDefault: true });
  const fallout = falloutRoute(scope, p, at(2560, 420), phase, false);
  scope.gateway(`${p}RepairGateway`, 'Repair outcome?', at(3170, 420), 'below');
  scope.end(`${p}TaskRepaired`, 'Task repaired', at(3280, 420));
  scope.flow(`${p}Flow_Fallout`, `${p}OutcomeGateway`, fallout.first, { name: 'fallout', condition: '=currentTaskResult = "FALLOUT"' });
  scope.flow(`${p}Flow_RepairOutcome`, fallout.last, `${p}RepairGateway`);
  scope.flow(`${p}Flow_RepairDone`, `${p}RepairGateway`, `${p}TaskRepaired`, { isDefault: true });
  const bottom = formRows[formRows.length - 1]! + 90;
  scope.flow(`${p}Flow_RetryAfterRepair`, `${p}RepairGateway`, `${p}ExecuteJoin`, {
    name: 'retry',
    condition: `=${repairOutcomeVariable} = "RETRY"`,
    via: [at(3170, 300), at(3360, 300), at(3360, bottom), at(870, bottom)],
  });
}

/** One phase: load the phase's ready tasks, run them in parallel, repeat until none is ready. */
function phasePlane(scope: ScopeBuilder, phase: FulfillmentPhase): void {
  const p = `${phaseNames[phase].id}_`;
  scope.start(`${p}Start`, 'Phase started', at(200, 200));
  scope.gateway(`${p}LoopJoin`, undefined, at(300, 200));
  scope.block(`${p}LoadReadyTasks`, 'Load ready tasks', at(430, 200), template.loadPlan, { values: headers({ phase }) });
  scope.gateway(`${p}AnyReady`, 'Ready tasks?', at(570, 200));
  scope.end(`${p}Done`, 'Phase done', at(570, 330));
  scope.subProcess(`${p}RunReadyTasks`, 'Run ready task', (iteration) => taskIteration(iteration, p, phase), {
    inputs: iterationLocals.map(localNull),
    multiInstance: { sequential: false, inputCollection: '=readyTaskIds', inputElement: 'currentTaskId' },
    documentation: 'One iteration per ready task of the phase; its variables stay local to the iteration.',
  });
  const run = scope.node(`${p}RunReadyTasks`).bounds;
  scope.flow(`${p}Flow_Started`, `${p}Start`, `${p}LoopJoin`);
  scope.flow(`${p}Flow_Load`, `${p}LoopJoin`, `${p}LoadReadyTasks`);
  scope.flow(`${p}Flow_Loaded`, `${p}LoadReadyTasks`, `${p}AnyReady`);
  scope.flow(`${p}Flow_RunReady`, `${p}AnyReady`, `${p}RunReadyTasks`, {
    name: 'yes',
    condition: '=count(readyTaskIds) > 0',
    via: [at(run.x - 40, 200)],
  });
  scope.flow(`${p}Flow_NoneReady`, `${p}AnyReady`, `${p}Done`, { name: 'no', isDefault: true });
  scope.flow(`${p}Flow_Repeat`, `${p}RunReadyTasks`, `${p}LoopJoin`, { via: [at(run.x + 80, run.y - 40), at(300, run.y - 40)] });
}

/**
 * Where the installed-base revert's answer goes (as the BPMN compensation handler and on the cancel
 * path): names of its own, so that at the root it does not overwrite the falloutReason that
 * finalize reported for the plan fallout that follows the revert.
 */
const handlerOutputs = { 'output.compensationTaskResult': 'compensationTaskResult', 'output.falloutReason': 'compensationFalloutReason' };

/** Compensation statuses that stop the compensation loop and open a plan-level fallout case. */
const compensationStepFailed = isOneOf('compensationTaskResult', ['FAILED', 'MANUAL_REVIEW']);

const endStateX = 2490;
const refusedY = 160;

/**
 * Where each end state's event sits around the end-state gateway: completed straight on, the others
 * two by two above and below it, turning off the gateway's top and bottom side close to it, so
 * every branch label stays beside the gateway. "refused" goes on over the top.
 */
const endStateLayout: Record<FulfillmentEndState, { at: Point; via?: Point; label: LabelPlacement }> = {
  COMPLETED: { at: at(2620, 300), label: 'right' },
  PARTIALLY_COMPLETED: { at: at(2620, 225), via: at(endStateX, 225), label: 'right' },
  MANUAL_CLOSED: { at: at(2340, 225), via: at(endStateX, 225), label: 'above' },
  CANCELLED: { at: at(2620, 375), via: at(endStateX, 375), label: 'right' },
  COMPENSATED: { at: at(2340, 375), via: at(endStateX, 375), label: 'below' },
  FAILED_WITH_FALLOUT: { at: at(endStateX, 460), label: 'right' },
};

/** The whole model as a process graph. */
export function buildOrderFulfillmentModel(templates: ReadonlyMap<string, ElementTemplate>): ProcessDocument {
  const root = new ScopeBuilder(templateLookup(templates));
  const y = 300;

  root.start('StartEvent_PlanPersisted', 'Fulfillment plan persisted', at(180, y));
  root.gateway('Gateway_LoadJoin', undefined, at(270, y));
  root.block('Activity_LoadFulfillmentPlan', 'Load fulfillment plan', at(390, y), template.loadPlan);
  root.gateway('Gateway_PlanValid', 'Plan valid?', at(520, y), 'below');

  // Everything after the plan is loaded, up to the moment the end state is decided, sits inside the
  // one scope the cancel boundary interrupts: the phases, the installed-base update and finalize.
  root.subProcess('SubProcess_FulfillOrder', 'Fulfill order', (order) => {
    order.start('StartEvent_Phases', 'Plan loaded', at(680, y));
    fulfillmentPhases.forEach((phase, index) => {
      const { id, label } = phaseNames[phase];
      order.subProcess(`SubProcess_${id}Phase`, `${label} phase`, (plane) => phasePlane(plane, phase), {
        collapsedAt: at(800 + index * 150, y),
        documentation: `Runs the ${label.toLowerCase()} tasks of the fulfillment plan until none is ready.`,
      });
    });
    const phaseIds = ['StartEvent_Phases', ...fulfillmentPhases.map((phase) => `SubProcess_${phaseNames[phase].id}Phase`)];
    phaseIds.slice(1).forEach((id, index) => order.flow(`Flow_Phase_${index}`, phaseIds[index]!, id));

    // The handler sits beside its activity; a refused completion throws the compensation from the
    // root once this subprocess completed (Zeebe compensates completed embedded subprocesses).
    order.block('Activity_ApplyInstalledBase', 'Apply installed-base impact', at(1700, y), template.installedBase);
    order.boundary('BoundaryEvent_RevertInstalledBase', 'Undo', 'Activity_ApplyInstalledBase', 30);
    order.block('Activity_RevertInstalledBase', 'Revert installed-base impact', at(1700, 470), template.compensate, {
      isForCompensation: true,
      values: handlerOutputs,
    });
    order.gateway('Gateway_InstalledBaseApplied', 'Installed base applied?', at(1830, y));
    order.block('Activity_Finalize', 'Finalize order fulfillment', at(1960, y), template.finalize);
    order.end('EndEvent_EndStateDecided', 'End state decided', at(2080, y));
    order.end('EndEvent_InstalledBaseConflict', 'Installed-base conflict', at(1830, 420));
    order.flow('Flow_PhasesDone', phaseIds[phaseIds.length - 1]!, 'Activity_ApplyInstalledBase');
    order.flow('Flow_InstalledBase', 'Activity_ApplyInstalledBase', 'Gateway_InstalledBaseApplied');
    order.flow('Flow_InstalledBaseApplied', 'Gateway_InstalledBaseApplied', 'Activity_Finalize', { name: 'yes', condition: '=installedBaseApplied = true' });
    order.flow('Flow_InstalledBaseConflict', 'Gateway_InstalledBaseApplied', 'EndEvent_InstalledBaseConflict', { name: 'no', isDefault: true });
    order.flow('Flow_Finalized', 'Activity_Finalize', 'EndEvent_EndStateDecided');
  });
  // bpmnlint's no-implicit-end reads compensation associations from the process's artifacts only.
  root.associate('Association_RevertInstalledBase', 'BoundaryEvent_RevertInstalledBase', 'Activity_RevertInstalledBase');
  root.boundary('BoundaryEvent_CancelRequested', 'Cancel requested', 'SubProcess_FulfillOrder', 100, template.cancelBoundary);

  root.gateway('Gateway_Finalized', 'Finalized?', at(2260, y), 'below');
  root.gateway('Gateway_EndStateJoin', undefined, at(2390, y));
  root.gateway('Gateway_EndState', 'End state?', at(endStateX, y), 'aboveRight');
  for (const state of fulfillmentEndStates) {
    const { at: where, label } = endStateLayout[state];
    root.end(endEventId(state), endStateNames[state], where, undefined, label);
  }
  root.compensationThrow('Event_CompletionRefused', 'Revert installed base', at(2620, refusedY), 'above');

  root.flow('Flow_Start', 'StartEvent_PlanPersisted', 'Gateway_LoadJoin');
  root.flow('Flow_Load', 'Gateway_LoadJoin', 'Activity_LoadFulfillmentPlan');
  root.flow('Flow_Loaded', 'Activity_LoadFulfillmentPlan', 'Gateway_PlanValid');
  root.flow('Flow_PlanValid', 'Gateway_PlanValid', 'SubProcess_FulfillOrder', { name: 'yes', condition: '=planValid = true' });
  root.flow('Flow_OrderFulfilled', 'SubProcess_FulfillOrder', 'Gateway_Finalized');
  root.flow('Flow_EndStateDecided', 'Gateway_Finalized', 'Gateway_EndStateJoin', { name: 'yes', condition: '=installedBaseApplied = true' });
  root.flow('Flow_EndState', 'Gateway_EndStateJoin', 'Gateway_EndState');
  for (const state of fulfillmentEndStates) {
    const { via } = endStateLayout[state];
    root.flow(`Flow_End_${state}`, 'Gateway_EndState', endEventId(state), {
      name: endStateNames[state].toLowerCase(),
      condition: `=fulfillmentEndState = "${state}"`,
      ...(via ? { via: [via] } : {}),
    });
  }
  root.flow('Flow_CompletionRefused', 'Gateway_EndState', 'Event_CompletionRefused', { name: 'refused', isDefault: true, via: [at(endStateX, refusedY)] });

  // Cancellation (seed §25): the domain builds the compensation plan; the process runs its steps one
  // at a time in the plan's sequence, and stops at a step that failed or needs a person. The
  // installed-base impact, the latest effect, is reverted first: the cancel may have interrupted
  // finalize or the installed-base job itself, and Zeebe never runs the compensation handlers of
  // a terminated scope. The domain reverts whatever the order's impact left, or nothing.
  const cancelY = 700;
  root.gateway('Gateway_CompensationJoin', undefined, at(680, cancelY));
  root.block('Activity_StartCompensation', 'Start compensation', at(800, cancelY), template.startCompensation);
  root.block('Activity_RevertInstalledBaseOnCancel', 'Revert installed-base impact', at(930, cancelY), template.compensate, {
    values: { 'input.compensationTaskId': '=null', 'input.currentTaskId': '=null', ...handlerOutputs },
  });
  root.gateway('Gateway_AnythingToUndo', 'Anything to undo?', at(1060, cancelY));
  root.block('Activity_UndoCompletedTasks', 'Undo completed task', at(1200, cancelY), template.compensate, {
    values: { 'input.currentTaskId': '=null', 'output.compensationTaskResult': 'compensationTaskResult', 'output.falloutReason': 'falloutReason' },
    multiInstance: {
      sequential: true,
      inputCollection: '=compensationTaskIds',
      inputElement: 'compensationTaskId',
      completionCondition: compensationStepFailed,
    },
    documentation: 'One compensation task at a time, in the compensation plan sequence; a FAILED or MANUAL_REVIEW step ends the loop.',
  });
  root.gateway('Gateway_CompensationFailed', 'Step failed?', at(1330, cancelY));
  root.gateway('Gateway_CancelJoin', undefined, at(1440, cancelY));
  root.gateway('Gateway_FinalizeJoin', undefined, at(2250, cancelY));
  root.block('Activity_FinalizeAfterInterruption', 'Finalize after cancel or repair', at(2390, cancelY), template.finalize);
  root.flow('Flow_CancelRequested', 'BoundaryEvent_CancelRequested', 'Gateway_CompensationJoin');
  root.flow('Flow_Compensate', 'Gateway_CompensationJoin', 'Activity_StartCompensation');
  root.flow('Flow_CompensationPlanned', 'Activity_StartCompensation', 'Activity_RevertInstalledBaseOnCancel');
  root.flow('Flow_InstalledBaseReverted', 'Activity_RevertInstalledBaseOnCancel', 'Gateway_AnythingToUndo');
  root.flow('Flow_Undo', 'Gateway_AnythingToUndo', 'Activity_UndoCompletedTasks', { name: 'yes', condition: '=count(compensationTaskIds) > 0' });
  root.flow('Flow_NothingToUndo', 'Gateway_AnythingToUndo', 'Gateway_CancelJoin', { name: 'no', isDefault: true, via: [at(1060, cancelY + 100), at(1440, cancelY + 100)] });
  root.flow('Flow_Undone', 'Activity_UndoCompletedTasks', 'Gateway_CompensationFailed');
  root.flow('Flow_AllUndone', 'Gateway_CompensationFailed', 'Gateway_CancelJoin', { name: 'no', isDefault: true });
  root.flow('Flow_CancelFinalize', 'Gateway_CancelJoin', 'Gateway_FinalizeJoin');
  root.flow('Flow_Finalize', 'Gateway_FinalizeJoin', 'Activity_FinalizeAfterInterruption');
  root.flow('Flow_FinalizedAfterInterruption', 'Activity_FinalizeAfterInterruption', 'Gateway_EndStateJoin');

  // Plan-level fallout: invalid plan, installed-base conflict, completion refused, compensation step failed.
  root.gateway('Gateway_PlanFalloutJoin', undefined, at(2760, refusedY));
  root.subProcess(
    'SubProcess_PlanFallout',
    'Resolve plan fallout',
    (route) => {
      // Far enough right that the join before it keeps clear space.
      route.start('StartEvent_PlanFallout', 'Plan fallout', at(2940, 220));
      const fallout = falloutRoute(route, 'PlanFallout_', at(3060, 220), undefined, true);
      route.end('EndEvent_PlanFallout', 'Repair confirmed', at(3660, 220));
      route.flow('Flow_PlanFalloutStarted', 'StartEvent_PlanFallout', fallout.first);
      route.flow('Flow_PlanFalloutDone', fallout.last, 'EndEvent_PlanFallout');
    },
    {
      // A plan-level case has no task: the plan id takes the task's place in the correlation key
      // of fulfillment-fallout-repaired and in the repair decision (docs/decisions/0002).
      // The decision and the job results stay inside; repairOutcome leaves it, for the gateway after.
      inputs: [
        { source: '=fulfillmentPlanId', target: 'currentTaskId' },
        { source: '=falloutReason', target: 'falloutReason' },
        ...planFalloutLocals.map(localNull),
      ],
      documentation: 'The plan id stands in the task slot: the repair message is keyed tenantId:orderId:fulfillmentPlanId.',
    },
  );
  const planFallout = root.node('SubProcess_PlanFallout').bounds;
  const planFalloutMiddle = planFallout.y + planFallout.height / 2;
  const outcomeX = planFallout.x + planFallout.width + 60;
  // Below the subprocess and the end states: "close" leaves to the left, the retries down (one turns off early).
  const outcomeY = planFallout.y + planFallout.height + 140;
  root.gateway('Gateway_PlanRepairOutcome', 'Repair outcome?', at(outcomeX, outcomeY), 'right');
  root.flow('Flow_PlanInvalid', 'Gateway_PlanValid', 'Gateway_PlanFalloutJoin', { name: 'no', isDefault: true, via: [at(520, 100), at(2760, 100)] });
  root.flow('Flow_InstalledBaseConflictToFallout', 'Gateway_Finalized', 'Gateway_PlanFalloutJoin', {
    name: 'installed-base conflict',
    isDefault: true,
    via: [at(2260, 100), at(2760, 100)],
  });
  root.flow('Flow_RefusedToFallout', 'Event_CompletionRefused', 'Gateway_PlanFalloutJoin');
  root.flow('Flow_CompensationFailed', 'Gateway_CompensationFailed', 'Gateway_PlanFalloutJoin', {
    name: 'yes',
    condition: compensationStepFailed,
    via: [at(1330, cancelY + 180), at(2760, cancelY + 180)],
  });
  root.flow('Flow_PlanFallout', 'Gateway_PlanFalloutJoin', 'SubProcess_PlanFallout');
  root.flow('Flow_PlanRepaired', 'SubProcess_PlanFallout', 'Gateway_PlanRepairOutcome', { via: [at(outcomeX, planFalloutMiddle)] });
  // RETRY means "run again what stopped": the plan, or, once the order is being cancelled (a
  // compensation plan exists), the compensation; a cancelled order is never fulfilled again.
  root.flow('Flow_PlanRetry', 'Gateway_PlanRepairOutcome', 'Gateway_LoadJoin', {
    name: 'retry',
    condition: `=${repairOutcomeVariable} = "RETRY" and compensationPlanId = null`,
    via: [at(outcomeX, outcomeY + 60), at(outcomeX + 110, outcomeY + 60), at(outcomeX + 110, 1150), at(270, 1150)],
  });
  root.flow('Flow_CompensationRetry', 'Gateway_PlanRepairOutcome', 'Gateway_CompensationJoin', {
    name: 'retry compensation',
    condition: `=${repairOutcomeVariable} = "RETRY" and compensationPlanId != null`,
    via: [at(outcomeX, 1050), at(680, 1050)],
  });
  root.flow('Flow_PlanRepairFinalize', 'Gateway_PlanRepairOutcome', 'Gateway_FinalizeJoin', {
    name: 'close',
    isDefault: true,
    via: [at(2250, outcomeY)],
  });

  return {
    processId: orderFulfillmentProcessId,
    processName: 'Order fulfillment',
    documentation:
      'Executes the fulfillment plan the OMS created and persisted (seed §3). Camunda owns progress; the OMS owns order truth: every step is a job of the Fulfillment Pack connector runtime that loads domain state and persists before completing.',
    scope: root.finish(),
  };
}
