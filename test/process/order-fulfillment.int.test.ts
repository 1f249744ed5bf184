/**
 * The committed order-fulfillment-v1 model, executed: deployed with its forms on the local engine
 * and driven only through @camunda8/sdk clients (job streams, messages, user tasks over REST),
 * with the scripted domain standing in for the connector runtime's handlers. Each scenario checks
 * the route the instance took (which jobs ran, with which variables), the end event it reached,
 * and that nothing is left open. Timers move with the engine's manual clock.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobType } from '../../connector-runtime/src/jobs';
import { manualTaskForms } from '../../connector-runtime/src/jobs/model-names';
import { startHarness, type Harness } from '../../local-engine/test/harness';
import { ProcessProbe } from './process-probe';
import { ScriptedDomain, type PlanScript, type ScriptedPlan } from './scripted-domain';
import { startScriptedWorkers, type ScriptedWorkers } from './scripted-workers';

const processId = 'order-fulfillment-v1';

/** Variables one task iteration keeps local (the model declares them on the multi-instance body). */
const iterationVariables = [
  'currentTaskId',
  'currentTaskResult',
  'currentTaskType',
  'taskExecutionMode',
  'taskTimeout',
  'taskReminder',
  'timeoutAction',
  'reminderTaskResult',
  'reminderAction',
  'reminderFalloutReason',
  'manualTaskView',
  'decision',
  'reason',
  'falloutCaseId',
  'repairOutcome',
];
const modelUrl = new URL('../../bpmn/order-fulfillment-v1.bpmn', import.meta.url);
const formUrl = (formId: string) => new URL(`../../forms/${formId}.form`, import.meta.url);

let h: Harness;
let workers: ScriptedWorkers;
const domain = new ScriptedDomain();

beforeAll(async () => {
  h = await startHarness('process_order');
  for (const form of manualTaskForms) {
    await h.zeebe.deployResource({ form: await readFile(formUrl(form.id)), name: `${form.id}.form` });
  }
  await h.zeebe.deployResource({ process: await readFile(modelUrl), name: `${processId}.bpmn` });
  workers = await startScriptedWorkers(h, domain);
});

afterAll(async () => {
  workers?.close();
  await h?.close();
});

/** Starts an instance for a new scripted plan. */
async function start(script: PlanScript): Promise<{ plan: ScriptedPlan; probe: ProcessProbe }> {
  const plan = domain.plan(script);
  const created = await h.zeebe.createProcessInstance({ bpmnProcessId: processId, variables: plan.startVariables });
  return { plan, probe: new ProcessProbe(h, created.processInstanceKey, domain) };
}

/** Publishes a message the way the correlation relay does: to an open subscription, not buffered. */
async function publish(name: string, correlationKey: string, variables: Record<string, string> = {}): Promise<void> {
  await h.zeebe.publishMessage({ name, correlationKey, variables, timeToLive: 0 });
}

/** Waits until the scripted domain answered `count` jobs of a type for the plan. */
async function jobsDone(probe: ProcessProbe, plan: ScriptedPlan, type: JobType, count: number) {
  return probe.until(`${count} ${type} job(s)`, async () => {
    const jobs = plan.jobsOf(type);
    return jobs.length >= count ? jobs : undefined;
  });
}

/** The instance completed, reached exactly `end`, and left no element, user task or incident open. */
async function expectFinished(probe: ProcessProbe, plan: ScriptedPlan, end: string): Promise<void> {
  await probe.completed();
  expect(await probe.endStatesReached()).toEqual([end]);
  expect(await probe.openWork()).toEqual({ activeElements: [], openUserTasks: [], incidents: [] });
  expect(domain.violations.filter((v) => v.planId === plan.fulfillmentPlanId)).toEqual([]);
}

describe('order-fulfillment-v1 on the local engine', () => {
  it('given sync, async, wait-only and manual tasks across phases, when every system answers, then the order completes at End_COMPLETED', async () => {
    const { plan, probe } = await start({
      tasks: {
        serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' },
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H' },
        shipment: { phase: 'ACTIVATION', type: 'CONFIRM_SHIPMENT', mode: 'WAIT_ONLY', timeout: 'P2D' },
        installation: { phase: 'ACTIVATION', type: 'ONSITE_INSTALLATION_CONFIRMATION', mode: 'MANUAL', dependsOn: ['shipment'] },
      },
    });

    // Provisioning: the callback arrives after the request was submitted.
    await jobsDone(probe, plan, 'submit-external-task-request', 1);
    await probe.active('Provisioning_Await_provisioning_completed');
    await publish('provisioning-completed', plan.key(plan.taskId('provisioning')));

    // Shipment: wait-only, nothing is submitted; the shipping system's confirmation ends the wait.
    await probe.active('Activation_Await_shipment_confirmed');
    await publish('shipment-confirmed', plan.key(plan.taskId('shipment')));

    // Installation: a person confirms in Tasklist, through the form the task type picks.
    const task = await probe.userTask('Activation_Manual_onsite_installation_confirmation');
    expect(task.candidateGroups).toEqual(['fulfillment-operations']);
    const form = await probe.userTaskForm(task.userTaskKey);
    expect(form?.formId).toBe('onsite-installation-confirmation');
    expect(JSON.parse(form!.schema)).toMatchObject({ id: 'onsite-installation-confirmation' });
    const visible = await probe.userTaskVariables(task.userTaskKey);
    expect(visible.manualTaskView).toEqual(plan.views.get(plan.taskId('installation')));
    expect(visible.currentTaskId).toBe(plan.taskId('installation'));
    const submission = { decision: 'COMPLETE', reason: 'Router installed and line tested on site', evidenceReference: 'photo-2026-0113' };
    await probe.completeUserTask(task.userTaskKey, submission);

    await expectFinished(probe, plan, 'End_COMPLETED');
    expect(plan.route()).toEqual([
      'load-fulfillment-plan@Activity_LoadFulfillmentPlan',
      'load-fulfillment-plan@Validation_LoadReadyTasks',
      'execute-fulfillment-task@Validation_ExecuteTask',
      'load-fulfillment-plan@Validation_LoadReadyTasks',
      'load-fulfillment-plan@Reservation_LoadReadyTasks',
      'load-fulfillment-plan@Provisioning_LoadReadyTasks',
      'execute-fulfillment-task@Provisioning_ExecuteTask',
      'submit-external-task-request@Provisioning_SubmitRequest',
      'apply-external-task-result@Provisioning_ApplyResult',
      'load-fulfillment-plan@Provisioning_LoadReadyTasks',
      'load-fulfillment-plan@Activation_LoadReadyTasks',
      'execute-fulfillment-task@Activation_ExecuteTask',
      'apply-external-task-result@Activation_ApplyResult',
      'load-fulfillment-plan@Activation_LoadReadyTasks',
      'execute-fulfillment-task@Activation_ExecuteTask',
      'apply-manual-decision@Activation_ApplyManualDecision',
      'load-fulfillment-plan@Activation_LoadReadyTasks',
      'load-fulfillment-plan@InstalledBase_LoadReadyTasks',
      'load-fulfillment-plan@Completion_LoadReadyTasks',
      'apply-installed-base-impact@Activity_ApplyInstalledBase',
      'finalize-order-fulfillment@Activity_Finalize',
    ]);
    expect(plan.jobsOf('execute-fulfillment-task').map((job) => job.input.currentTaskId)).toEqual(
      ['serviceability', 'provisioning', 'shipment', 'installation'].map((name) => plan.taskId(name)),
    );
    expect(plan.jobsOf('apply-external-task-result').map((job) => job.input.currentTaskId)).toEqual([plan.taskId('provisioning'), plan.taskId('shipment')]);
    const [decision] = plan.jobsOf('apply-manual-decision');
    expect(decision!.input).toMatchObject({ currentTaskId: plan.taskId('installation'), ...submission });
    expect(decision!.headers).toEqual({ phase: 'ACTIVATION' });
    expect(['serviceability', 'provisioning', 'shipment', 'installation'].map((name) => plan.status(name))).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await probe.rootVariables()).toMatchObject({ fulfillmentEndState: 'COMPLETED', installedBaseApplied: true, completionAllowed: true });
  });

  it('given two ready tasks in one phase, when both wait at once, then they run as two parallel iterations whose task variables stay out of the root scope', async () => {
    const { plan, probe } = await start({
      tasks: {
        service: { phase: 'ACTIVATION', type: 'WAIT_PROVISIONING_COMPLETED', mode: 'WAIT_ONLY', timeout: 'PT8H' },
        billing: { phase: 'ACTIVATION', type: 'ACTIVATE_BILLING', mode: 'AUTOMATED_ASYNC', timeout: 'PT1H' },
      },
    });

    // Both iterations are waiting at the same time, each for its own system.
    await probe.active('Activation_Await_provisioning_completed');
    await probe.active('Activation_Await_billing_activated');
    const taskIds = await probe.variables('currentTaskId');
    expect(taskIds.map((v) => JSON.parse(v.value)).sort()).toEqual([plan.taskId('service'), plan.taskId('billing')].sort());
    expect(new Set(taskIds.map((v) => v.scopeKey)).size).toBe(2);
    expect(taskIds.map((v) => v.scopeKey)).not.toContain(probe.processInstanceKey);
    const modes = await probe.variables('taskExecutionMode');
    const modeOf = (taskId: string) => modes.find((m) => m.scopeKey === taskIds.find((t) => JSON.parse(t.value) === taskId)!.scopeKey)?.value;
    expect(modeOf(plan.taskId('service'))).toBe('"WAIT_ONLY"');
    expect(modeOf(plan.taskId('billing'))).toBe('"AUTOMATED_ASYNC"');
    const rootWhileWaiting = await probe.rootVariables();
    for (const local of iterationVariables) expect(rootWhileWaiting, `root scope holds ${local}`).not.toHaveProperty(local);

    // The later task's callback arrives first.
    await publish('billing-activated', plan.key(plan.taskId('billing')));
    await jobsDone(probe, plan, 'apply-external-task-result', 1);
    await publish('provisioning-completed', plan.key(plan.taskId('service')));

    await expectFinished(probe, plan, 'End_COMPLETED');
    expect(plan.jobsOf('apply-external-task-result').map((job) => job.input.currentTaskId)).toEqual([plan.taskId('billing'), plan.taskId('service')]);
    expect(plan.jobsOf('submit-external-task-request').map((job) => job.input.currentTaskId)).toEqual([plan.taskId('billing')]);
    const root = await probe.rootVariables();
    for (const local of iterationVariables) expect(root, `root scope holds ${local}`).not.toHaveProperty(local);
    expect(root).toMatchObject({ ...plan.startVariables, fulfillmentEndState: 'COMPLETED' });
  });

  it('given a task that falls out, when a person decides RETRY and the OMS confirms the repair, then the task runs again and the order completes', async () => {
    const { plan, probe } = await start({
      tasks: { reservation: { phase: 'RESERVATION', type: 'RESERVE_RESOURCE', mode: 'AUTOMATED_SYNC', executeResults: ['FALLOUT'] } },
    });
    const taskId = plan.taskId('reservation');

    const task = await probe.userTask('Reservation_DecideRepair');
    expect((await probe.userTaskForm(task.userTaskKey))?.formId).toBe('fallout-repair-decision');
    const visible = await probe.userTaskVariables(task.userTaskKey);
    expect(visible.manualTaskView).toEqual(plan.views.get(taskId));
    expect(visible.falloutCaseId).toBe(plan.falloutCaseIds[0]);
    const submission = { decision: 'RETRY', reason: 'Resource pool extended by network planning', evidenceReference: 'NP-4711' };
    await probe.completeUserTask(task.userTaskKey, submission);

    await probe.active('Reservation_AwaitRepair');
    expect(plan.jobsOf('execute-fulfillment-task')).toHaveLength(1);
    await publish('fulfillment-fallout-repaired', plan.key(taskId), { repairOutcome: 'RETRY' });

    await expectFinished(probe, plan, 'End_COMPLETED');
    // The retry goes back to execute inside the same iteration, not through a reload of the phase.
    expect(plan.route().filter((step) => step.includes('@Reservation_'))).toEqual([
      'load-fulfillment-plan@Reservation_LoadReadyTasks',
      'execute-fulfillment-task@Reservation_ExecuteTask',
      'open-fulfillment-fallout@Reservation_OpenFallout',
      'apply-manual-decision@Reservation_ApplyRepairDecision',
      'execute-fulfillment-task@Reservation_ExecuteTask',
      'load-fulfillment-plan@Reservation_LoadReadyTasks',
    ]);
    expect(await probe.elements('Reservation_TaskRepaired')).toEqual([]);
    expect((await probe.elements('Reservation_TaskDone')).map((e) => e.state)).toEqual(['COMPLETED']);
    const [opened] = plan.jobsOf('open-fulfillment-fallout');
    expect(opened!.input).toMatchObject({ currentTaskId: taskId, falloutReason: 'RESERVE_RESOURCE rejected by the owner system' });
    expect(opened!.headers).toEqual({ phase: 'RESERVATION' });
    expect(plan.jobsOf('apply-manual-decision')[0]!.input).toMatchObject({ currentTaskId: taskId, ...submission });
    expect(plan.jobsOf('execute-fulfillment-task').map((job) => job.output.currentTaskResult)).toEqual(['FALLOUT', 'COMPLETED']);
    expect(plan.status('reservation')).toBe('COMPLETED');
  });

  it('given an async task without callback, when its timeout passes and the policy says REMIND, then the process waits again and a late callback still completes the task', async () => {
    const { plan, probe } = await start({
      tasks: {
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H', timeoutActions: ['REMIND'] },
      },
    });
    const [firstWait] = await probe.active('Provisioning_Await_provisioning_completed');

    h.clock.advance(4 * 3600_000 - 60_000);
    expect(plan.jobsOf('apply-fulfillment-timeout')).toEqual([]);
    expect(await probe.elements('Provisioning_TaskTimeout')).toEqual([]);
    h.clock.advance(2 * 60_000);
    const [timeout] = await jobsDone(probe, plan, 'apply-fulfillment-timeout', 1);
    expect(timeout!.input).toMatchObject({ currentTaskId: plan.taskId('provisioning') });
    expect(timeout!.headers).toEqual({ phase: 'PROVISIONING' });

    const [secondWait] = await probe.active('Provisioning_Await_provisioning_completed');
    expect(secondWait!.elementInstanceKey).not.toBe(firstWait!.elementInstanceKey);
    const waits = await probe.elements('Provisioning_AwaitCallback');
    expect(waits.map((w) => w.state).sort()).toEqual(['ACTIVE', 'TERMINATED']);
    await publish('provisioning-completed', plan.key(plan.taskId('provisioning')));

    await expectFinished(probe, plan, 'End_COMPLETED');
    expect(plan.route().filter((step) => step.includes('@Provisioning_') && !step.includes('LoadReadyTasks'))).toEqual([
      'execute-fulfillment-task@Provisioning_ExecuteTask',
      'submit-external-task-request@Provisioning_SubmitRequest',
      'apply-fulfillment-timeout@Provisioning_ApplyTimeout',
      'apply-external-task-result@Provisioning_ApplyResult',
    ]);
    expect((await probe.elements('Provisioning_TaskTimeout')).map((e) => e.state)).toEqual(['COMPLETED']);
    // No soft reminder in the policy (taskReminder null): the reminder timer never fired, and no incident.
    expect(await probe.elements('Provisioning_TaskReminder')).toEqual([]);
  });

  it('given an async task whose policy has a soft reminder, when the reminder is due, then apply-fulfillment-timeout runs as SOFT_REMINDER, the wait goes on and the callback still completes the task', async () => {
    const { plan, probe } = await start({
      tasks: {
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H', reminder: 'PT3H30M' },
      },
    });
    const [wait] = await probe.active('Provisioning_Await_provisioning_completed');

    h.clock.advance(3.5 * 3600_000 - 60_000);
    expect(plan.jobsOf('apply-fulfillment-timeout')).toEqual([]);
    h.clock.advance(2 * 60_000);
    const [reminder] = await jobsDone(probe, plan, 'apply-fulfillment-timeout', 1);
    expect(reminder!.elementId).toBe('Provisioning_SendReminder');
    expect(reminder!.input).toMatchObject({ currentTaskId: plan.taskId('provisioning') });
    expect(reminder!.headers).toEqual({ phase: 'PROVISIONING', timeoutKind: 'SOFT_REMINDER' });
    await probe.until('the reminder path to end', async () => ((await probe.elements('Provisioning_StillWaiting')).length === 1 ? true : undefined));

    // The wait goes on: the same catch is still active, the task still waits, no timeout fired.
    const [still] = await probe.active('Provisioning_Await_provisioning_completed');
    expect(still!.elementInstanceKey).toBe(wait!.elementInstanceKey);
    expect(plan.status('provisioning')).toBe('WAITING');
    expect(await probe.elements('Provisioning_TaskTimeout')).toEqual([]);
    const whileWaiting = await probe.rootVariables();
    for (const local of iterationVariables) expect(whileWaiting, `root scope holds ${local}`).not.toHaveProperty(local);
    await publish('provisioning-completed', plan.key(plan.taskId('provisioning')));

    await expectFinished(probe, plan, 'End_COMPLETED');
    expect(plan.route().filter((step) => step.includes('@Provisioning_') && !step.includes('LoadReadyTasks'))).toEqual([
      'execute-fulfillment-task@Provisioning_ExecuteTask',
      'submit-external-task-request@Provisioning_SubmitRequest',
      'apply-fulfillment-timeout@Provisioning_SendReminder',
      'apply-external-task-result@Provisioning_ApplyResult',
    ]);
    expect(plan.reminders).toEqual(['provisioning']);
    expect(plan.jobsOf('submit-external-task-request')[0]!.output).toMatchObject({ taskTimeout: 'PT4H', taskReminder: 'PT3H30M' });
    expect((await probe.elements('Provisioning_TaskReminder')).map((e) => e.state)).toEqual(['COMPLETED']);
    expect(plan.status('provisioning')).toBe('COMPLETED');
  });

  it('given an order waiting for provisioning, when the customer cancels, then the completed work is compensated and the order ends at End_COMPENSATED', async () => {
    const { plan, probe } = await start({
      tasks: {
        serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' },
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H' },
      },
      compensationTasks: 2,
      endStates: ['COMPENSATED'],
    });
    await probe.active('Provisioning_Await_provisioning_completed');

    await publish('order-cancel-requested', plan.key(plan.fulfillmentPlanId));

    await expectFinished(probe, plan, 'End_COMPENSATED');
    expect(plan.route().slice(-5)).toEqual([
      'start-compensation@Activity_StartCompensation',
      'execute-compensation-task@Activity_RevertInstalledBaseOnCancel',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'finalize-order-fulfillment@Activity_FinalizeAfterInterruption',
    ]);
    expect(plan.jobsOf('start-compensation')[0]!.headers).toEqual({ compensationReason: 'ORDER_CANCELLED' });
    const undone = plan.jobsOf('execute-compensation-task').filter((job) => job.elementId === 'Activity_UndoCompletedTasks');
    expect(undone.map((job) => job.input.compensationTaskId)).toEqual(plan.compensationTaskIds);
    expect(undone.map((job) => job.input.currentTaskId)).toEqual([null, null]);
    expect(plan.jobsOf('apply-external-task-result')).toEqual([]);
    expect(plan.jobsOf('apply-installed-base-impact')).toEqual([]);
    expect((await probe.elements('SubProcess_FulfillOrder')).map((e) => e.state)).toEqual(['TERMINATED']);
    expect((await probe.elements('Provisioning_Await_provisioning_completed')).map((e) => e.state)).toEqual(['TERMINATED']);
    expect((await probe.elements('BoundaryEvent_CancelRequested')).map((e) => e.state)).toEqual(['COMPLETED']);
  });

  it.each([
    ['the installed-base update', 'Activity_ApplyInstalledBase'],
    ['finalize', 'Activity_Finalize'],
  ])('given an order waiting in %s, when the customer cancels, then the cancel is caught, the installed base is reverted, the compensation plan runs and the order ends at End_COMPENSATED', async (_, waitingAt) => {
    const { plan, probe } = await start({
      tasks: { serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' } },
      compensationTasks: 1,
      endStates: ['COMPENSATED'],
      hold: [waitingAt],
    });
    await probe.until(`the ${waitingAt} job in flight`, async () => (plan.held.length === 1 ? plan.held : undefined));
    expect(plan.held[0]!.elementId).toBe(waitingAt);
    await probe.active(waitingAt);

    await publish('order-cancel-requested', plan.key(plan.fulfillmentPlanId));

    await expectFinished(probe, plan, 'End_COMPENSATED');
    expect(plan.route().slice(-4)).toEqual([
      'start-compensation@Activity_StartCompensation',
      'execute-compensation-task@Activity_RevertInstalledBaseOnCancel',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'finalize-order-fulfillment@Activity_FinalizeAfterInterruption',
    ]);
    expect(plan.jobsOf('execute-compensation-task')[0]!.input).toMatchObject({ ...plan.startVariables, compensationTaskId: null, currentTaskId: null });
    expect((await probe.elements(waitingAt)).map((e) => e.state)).toEqual(['TERMINATED']);
    expect((await probe.elements('SubProcess_FulfillOrder')).map((e) => e.state)).toEqual(['TERMINATED']);
    expect((await probe.elements('BoundaryEvent_CancelRequested')).map((e) => e.state)).toEqual(['COMPLETED']);
    // A terminated scope's compensation handlers are never invoked (Zeebe): the cancel path reverts
    // the installed-base impact itself, whether or not the interrupted job had applied it.
    expect(await probe.elements('Activity_RevertInstalledBase')).toEqual([]);
  });

  it('given two completed tasks to undo, when the customer cancels, then their compensation tasks run one after the other in plan sequence', async () => {
    const { plan, probe } = await start({
      tasks: {
        serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' },
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H' },
      },
      compensationTasks: 2,
      endStates: ['COMPENSATED'],
      hold: ['Activity_UndoCompletedTasks'],
    });
    await probe.active('Provisioning_Await_provisioning_completed');
    await publish('order-cancel-requested', plan.key(plan.fulfillmentPlanId));

    // While the first step's job is in flight, the loop has created no second step.
    const [first] = await probe.until('the first compensation step in flight', async () => (plan.held.length === 1 ? plan.held : undefined));
    expect(first!.input.compensationTaskId).toBe(plan.compensationTaskIds[0]);
    const steps = async () => (await probe.elements('Activity_UndoCompletedTasks')).filter((e) => e.type !== 'MULTI_INSTANCE_BODY');
    expect((await steps()).map((e) => e.state)).toEqual(['ACTIVE']);
    const loopJobs = () => plan.jobsOf('execute-compensation-task').filter((job) => job.elementId === 'Activity_UndoCompletedTasks');
    expect(loopJobs()).toEqual([]);

    first!.release();
    await expectFinished(probe, plan, 'End_COMPENSATED');
    expect(loopJobs().map((job) => job.input.compensationTaskId)).toEqual(plan.compensationTaskIds);
    expect((await steps()).map((e) => e.state)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it('given a compensation step that fails, when the cancel compensates, then the loop stops there, a plan fallout case opens with its reason, and a RETRY repair runs the remaining compensation, not the fulfillment', async () => {
    const { plan, probe } = await start({
      tasks: {
        serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' },
        provisioning: { phase: 'PROVISIONING', type: 'CREATE_PROVISIONING_REQUEST', mode: 'AUTOMATED_ASYNC', timeout: 'PT4H' },
      },
      compensationTasks: 2,
      compensationResults: ['FAILED'],
      endStates: ['COMPENSATED'],
    });
    await probe.active('Provisioning_Await_provisioning_completed');
    await publish('order-cancel-requested', plan.key(plan.fulfillmentPlanId));

    const task = await probe.userTask('PlanFallout_DecideRepair');
    const loopJobs = () => plan.jobsOf('execute-compensation-task').filter((job) => job.elementId === 'Activity_UndoCompletedTasks');
    const [failed] = loopJobs();
    expect(failed!.output).toMatchObject({ compensationTaskResult: 'FAILED' });
    expect(loopJobs()).toHaveLength(1);
    const [opened] = plan.jobsOf('open-fulfillment-fallout');
    expect(opened!.input).toMatchObject({ currentTaskId: plan.fulfillmentPlanId, falloutReason: 'Billing reversal rejected by the billing system' });
    await probe.completeUserTask(task.userTaskKey, { decision: 'RETRY', reason: 'Billing account unlocked, reversal can run again' });
    await probe.active('PlanFallout_AwaitRepair');
    await publish('fulfillment-fallout-repaired', plan.key(plan.fulfillmentPlanId), { repairOutcome: 'RETRY' });

    await expectFinished(probe, plan, 'End_COMPENSATED');
    expect(plan.route().slice(-10)).toEqual([
      'start-compensation@Activity_StartCompensation',
      'execute-compensation-task@Activity_RevertInstalledBaseOnCancel',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'open-fulfillment-fallout@PlanFallout_OpenFallout',
      'apply-manual-decision@PlanFallout_ApplyRepairDecision',
      'start-compensation@Activity_StartCompensation',
      'execute-compensation-task@Activity_RevertInstalledBaseOnCancel',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'execute-compensation-task@Activity_UndoCompletedTasks',
      'finalize-order-fulfillment@Activity_FinalizeAfterInterruption',
    ]);
    const [firstStep, secondStep] = plan.compensationTaskIds;
    expect(loopJobs().map((job) => job.input.compensationTaskId)).toEqual([firstStep, firstStep, secondStep]);
    expect(plan.jobsOf('load-fulfillment-plan').filter((job) => job.elementId === 'Activity_LoadFulfillmentPlan')).toHaveLength(1);
    expect(plan.jobsOf('apply-installed-base-impact')).toEqual([]);
  });

  it('given an invalid plan, when the OMS console repairs it with RETRY while the repair task is open, then the task is cancelled, the plan loads again and the order completes', async () => {
    const { plan, probe } = await start({
      tasks: { serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' } },
      planValid: [false],
    });

    const task = await probe.userTask('PlanFallout_DecideRepair');
    expect((await probe.userTaskForm(task.userTaskKey))?.formId).toBe('fallout-repair-decision');
    expect((await probe.userTaskVariables(task.userTaskKey)).manualTaskView).toEqual(plan.views.get(plan.fulfillmentPlanId));
    await publish('fulfillment-fallout-repaired', plan.key(plan.fulfillmentPlanId), { repairOutcome: 'RETRY' });

    await expectFinished(probe, plan, 'End_COMPLETED');
    expect((await probe.userTasks()).map((t) => [t.elementId, t.state])).toEqual([['PlanFallout_DecideRepair', 'CANCELED']]);
    expect((await probe.elements('PlanFallout_RepairedElsewhere')).map((e) => e.state)).toEqual(['COMPLETED']);
    expect(plan.route().slice(0, 3)).toEqual([
      'load-fulfillment-plan@Activity_LoadFulfillmentPlan',
      'open-fulfillment-fallout@PlanFallout_OpenFallout',
      'load-fulfillment-plan@Activity_LoadFulfillmentPlan',
    ]);
    const [opened] = plan.jobsOf('open-fulfillment-fallout');
    expect(opened!.input).toMatchObject({ currentTaskId: plan.fulfillmentPlanId, falloutReason: 'Plan does not match the order items' });
    expect(opened!.headers).toEqual({ severity: 'HIGH' });
    expect(plan.jobsOf('apply-manual-decision')).toEqual([]);
    expect(plan.jobsOf('load-fulfillment-plan').slice(0, 2).map((job) => job.output.planValid)).toEqual([false, true]);
    expect(plan.status('serviceability')).toBe('COMPLETED');
  });

  it('given completion is refused after the installed base was applied, when the repair decision is FAIL, then the installed base is reverted and the order ends at End_FAILED_WITH_FALLOUT', async () => {
    const { plan, probe } = await start({
      tasks: { serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' } },
      endStates: [null, 'FAILED_WITH_FALLOUT'],
    });

    const task = await probe.userTask('PlanFallout_DecideRepair');
    expect(plan.route().slice(-3)).toEqual([
      'finalize-order-fulfillment@Activity_Finalize',
      'execute-compensation-task@Activity_RevertInstalledBase',
      'open-fulfillment-fallout@PlanFallout_OpenFallout',
    ]);
    const submission = { decision: 'FAIL', reason: 'Billing account is closed, order cannot complete' };
    await probe.completeUserTask(task.userTaskKey, submission);
    await probe.active('PlanFallout_AwaitRepair');
    await publish('fulfillment-fallout-repaired', plan.key(plan.fulfillmentPlanId), { repairOutcome: 'FAIL' });

    await expectFinished(probe, plan, 'End_FAILED_WITH_FALLOUT');
    expect(plan.route().slice(-6)).toEqual([
      'apply-installed-base-impact@Activity_ApplyInstalledBase',
      'finalize-order-fulfillment@Activity_Finalize',
      'execute-compensation-task@Activity_RevertInstalledBase',
      'open-fulfillment-fallout@PlanFallout_OpenFallout',
      'apply-manual-decision@PlanFallout_ApplyRepairDecision',
      'finalize-order-fulfillment@Activity_FinalizeAfterInterruption',
    ]);
    const [revert] = plan.jobsOf('execute-compensation-task');
    expect(revert!.input).toMatchObject({ ...plan.startVariables, compensationTaskId: null, currentTaskId: null });
    expect(plan.jobsOf('open-fulfillment-fallout')[0]!.input).toMatchObject({ currentTaskId: plan.fulfillmentPlanId });
    expect(plan.jobsOf('apply-manual-decision')[0]!.input).toMatchObject({ currentTaskId: plan.fulfillmentPlanId, ...submission });
    expect(plan.jobsOf('finalize-order-fulfillment').map((job) => job.output.fulfillmentEndState)).toEqual([null, 'FAILED_WITH_FALLOUT']);
    expect((await probe.elements('Event_CompletionRefused')).map((e) => e.state)).toEqual(['COMPLETED']);
    expect((await probe.elements('Activity_RevertInstalledBase')).map((e) => e.state)).toEqual(['COMPLETED']);
  });

  it('given completion is refused with a reason, when the plan fallout case opens after the installed base was reverted, then the case gets the refusal reason', async () => {
    const { plan, probe } = await start({
      tasks: { serviceability: { phase: 'VALIDATION', type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' } },
      endStates: [null, 'MANUAL_CLOSED'],
    });

    const task = await probe.userTask('PlanFallout_DecideRepair');
    const [refused] = plan.jobsOf('finalize-order-fulfillment');
    expect(refused!.output).toMatchObject({ fulfillmentEndState: null, falloutReason: 'Billing is not active yet' });
    // The revert handler runs between finalize and the fallout case; its own (null) falloutReason
    // must not replace the reason the domain gave for refusing completion. The committed model maps
    // the handler's falloutReason output onto the same root variable, so this fails until it no
    // longer does.
    expect(plan.jobsOf('open-fulfillment-fallout')[0]!.input.falloutReason).toBe(refused!.output.falloutReason);

    await probe.completeUserTask(task.userTaskKey, { decision: 'ESCALATE', reason: 'Billing team takes the order over' });
    await probe.active('PlanFallout_AwaitRepair');
    await publish('fulfillment-fallout-repaired', plan.key(plan.fulfillmentPlanId), { repairOutcome: 'MANUAL_CLOSE' });
    await expectFinished(probe, plan, 'End_MANUAL_CLOSED');
  });
});
