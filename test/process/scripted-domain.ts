/**
 * A scripted, in-memory stand-in for the OMS behind the connector runtime: it answers every job
 * type of the order-fulfillment model from a tiny plan, so a test can drive the real BPMN on the
 * engine before the real handlers exist. It keeps the task state machine just strict enough that a
 * wrong route shows up (a task run twice, a callback applied to a task that never waited, a job
 * of one phase handed a task of another), and it checks every job against its contract: the
 * model's input mappings and headers must satisfy the job's input schema, and every answer must
 * satisfy its output schema.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  CompensationStatus,
  FulfillmentEndState,
  FulfillmentPhase,
  FulfillmentTaskStatus,
  FulfillmentTaskType,
  ManualDecision,
  TaskExecutionMode,
  TimeoutAction,
} from '../../connector-runtime/src/domain/vocabulary';
import { findJobContract, type JobType } from '../../connector-runtime/src/jobs';
import type { ApplyExternalTaskResultOutput } from '../../connector-runtime/src/jobs/apply-external-task-result/schema';
import type { ApplyFulfillmentTimeoutOutput, TimeoutKind } from '../../connector-runtime/src/jobs/apply-fulfillment-timeout/schema';
import type { ApplyInstalledBaseImpactOutput } from '../../connector-runtime/src/jobs/apply-installed-base-impact/schema';
import type { ApplyManualDecisionOutput } from '../../connector-runtime/src/jobs/apply-manual-decision/schema';
import type { ExecuteCompensationTaskOutput } from '../../connector-runtime/src/jobs/execute-compensation-task/schema';
import type { ExecuteFulfillmentTaskOutput } from '../../connector-runtime/src/jobs/execute-fulfillment-task/schema';
import type { FinalizeOrderFulfillmentOutput } from '../../connector-runtime/src/jobs/finalize-order-fulfillment/schema';
import type { LoadFulfillmentPlanOutput } from '../../connector-runtime/src/jobs/load-fulfillment-plan/schema';
import type { ManualTaskView } from '../../connector-runtime/src/jobs/manual-task-view';
import type { OpenFulfillmentFalloutOutput } from '../../connector-runtime/src/jobs/open-fulfillment-fallout/schema';
import type { StartCompensationOutput } from '../../connector-runtime/src/jobs/start-compensation/schema';
import type { SubmitExternalTaskRequestOutput } from '../../connector-runtime/src/jobs/submit-external-task-request/schema';

/** The execution modes the phase loop routes on. */
export type RoutedExecutionMode = Extract<TaskExecutionMode, 'AUTOMATED_SYNC' | 'AUTOMATED_ASYNC' | 'WAIT_ONLY' | 'MANUAL'>;

/** One task of a scripted plan. */
export interface TaskScript {
  phase: FulfillmentPhase;
  type: FulfillmentTaskType;
  mode: RoutedExecutionMode;
  /** ISO-8601 timeout of an asynchronous or wait-only task (the timeout boundary reads it). */
  timeout?: string;
  /** ISO-8601 `taskReminder`: timeout minus the policy's softReminderBefore (the reminder boundary reads it). */
  reminder?: string;
  /** Names of tasks that must be completed or skipped before this one is ready. */
  dependsOn?: string[];
  /** Successive answers of `execute-fulfillment-task`; when used up, the mode's normal answer. */
  executeResults?: FulfillmentTaskStatus[];
  /** Successive answers of `apply-fulfillment-timeout`. */
  timeoutActions?: TimeoutAction[];
}

/** A tiny plan and the scripted answers of the plan-level jobs. */
export interface PlanScript {
  /** Tasks keyed by a name the test uses to refer to them. */
  tasks: Record<string, TaskScript>;
  /** Successive `planValid` answers of the top-level load; then true. */
  planValid?: boolean[];
  /** Successive `installedBaseApplied` answers; then true. */
  installedBaseApplied?: boolean[];
  /** Successive `fulfillmentEndState` answers of finalize (null = completion refused); then COMPLETED. */
  endStates?: (FulfillmentEndState | null)[];
  /** How many compensation tasks `start-compensation` plans. */
  compensationTasks?: number;
  /** Successive `compensationTaskResult` answers of the compensation loop's steps; then COMPLETED. */
  compensationResults?: CompensationStatus[];
  /**
   * Element ids whose first job the domain holds unanswered until the test releases it (see
   * {@link ScriptedPlan.held}), so a test can look at the engine while the job is in flight.
   */
  hold?: string[];
}

/** A job the domain holds unanswered; `release` answers it from the domain state of that moment. */
export interface HeldJob {
  type: JobType;
  elementId: string;
  input: Record<string, unknown>;
  headers: Record<string, unknown>;
  release(): void;
}

/** One job the domain answered. */
export interface JobRecord {
  type: JobType;
  elementId: string;
  processInstanceKey: string;
  /** The job's variables as its input schema sees them. */
  input: Record<string, unknown>;
  headers: Record<string, unknown>;
  output: Record<string, unknown>;
}

/** A job as the domain needs it: the SDK job reduced to plain data. */
export interface IncomingJob {
  type: string;
  elementId: string;
  processInstanceKey: string;
  variables: Readonly<Record<string, unknown>>;
  customHeaders: Readonly<Record<string, unknown>>;
}

/** The domain refused a job: the model or the fake is wrong. The worker fails the job without retries. */
export class ScriptViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ScriptViolation';
  }
}

interface TaskState {
  name: string;
  id: string;
  script: TaskScript;
  status: FulfillmentTaskStatus;
  executions: number;
  timeoutActions: TimeoutAction[];
}

const doneStatuses: readonly FulfillmentTaskStatus[] = ['COMPLETED', 'SKIPPED'];

const decisionStatus: Record<ManualDecision, FulfillmentTaskStatus> = {
  COMPLETE: 'COMPLETED',
  FAIL: 'FAILED',
  RETRY: 'READY',
  SKIP_WITH_APPROVAL: 'SKIPPED',
  REQUEST_CUSTOMER_ACTION: 'WAITING',
  ESCALATE: 'WAITING',
};

const timeoutStatus: Record<TimeoutAction, FulfillmentTaskStatus> = {
  REMIND: 'WAITING',
  ESCALATE: 'WAITING',
  OPEN_FALLOUT: 'FALLOUT',
  RETRY: 'READY',
  COMPENSATE: 'TIMED_OUT',
  CANCEL: 'TIMED_OUT',
};

/** One order's plan inside the scripted domain. */
export class ScriptedPlan {
  readonly tenantId = 'tenant-acme';
  readonly orderId = randomUUID();
  readonly fulfillmentPlanId = randomUUID();
  readonly executionId = randomUUID();
  /** Jobs answered for this plan, in order. */
  readonly jobs: JobRecord[] = [];
  /** Compensation tasks planned by `start-compensation`, in plan sequence. */
  readonly compensationTaskIds: string[] = [];
  /** Jobs held unanswered (in the order they arrived), released or not. */
  readonly held: HeldJob[] = [];
  /** Soft reminders sent, by task name. */
  readonly reminders: string[] = [];
  /** Fallout cases opened, in order. */
  readonly falloutCaseIds: string[] = [];
  /** Manual-task views handed out, by task id (or plan id for plan-level fallout). */
  readonly views = new Map<string, ManualTaskView>();
  private readonly tasks = new Map<string, TaskState>();
  private readonly planValid: boolean[];
  private readonly installedBaseApplied: boolean[];
  private readonly endStates: (FulfillmentEndState | null)[];
  private readonly compensationResults: CompensationStatus[];
  private readonly compensationStatus = new Map<string, CompensationStatus>();
  private readonly toHold: Set<string>;

  constructor(private readonly script: PlanScript) {
    for (const [name, task] of Object.entries(script.tasks)) {
      this.tasks.set(name, { name, id: randomUUID(), script: task, status: 'READY', executions: 0, timeoutActions: [...(task.timeoutActions ?? [])] });
    }
    for (const task of this.tasks.values()) {
      for (const dependency of task.script.dependsOn ?? []) {
        if (!this.tasks.has(dependency)) throw new Error(`task ${task.name} depends on unknown task ${dependency}`);
      }
    }
    this.planValid = [...(script.planValid ?? [])];
    this.installedBaseApplied = [...(script.installedBaseApplied ?? [])];
    this.endStates = [...(script.endStates ?? [])];
    this.compensationResults = [...(script.compensationResults ?? [])];
    this.toHold = new Set(script.hold ?? []);
  }

  /** The variables an order's process instance starts with (seed §5). */
  get startVariables(): { tenantId: string; orderId: string; fulfillmentPlanId: string } {
    return { tenantId: this.tenantId, orderId: this.orderId, fulfillmentPlanId: this.fulfillmentPlanId };
  }

  /** Id of the task of that name. */
  taskId(name: string): string {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`no task named ${name}`);
    return task.id;
  }

  /** Current status of the task of that name. */
  status(name: string): FulfillmentTaskStatus {
    return this.taskByName(name).status;
  }

  /** `tenantId:orderId:<id>`, the correlation key of task-level (or, with the plan id, plan-level) messages. */
  key(id: string): string {
    return `${this.tenantId}:${this.orderId}:${id}`;
  }

  /** The jobs of one type, in order. */
  jobsOf(type: JobType): JobRecord[] {
    return this.jobs.filter((job) => job.type === type);
  }

  /** `type@elementId` of every job, in order: the route the instance took. */
  route(): string[] {
    return this.jobs.map((job) => `${job.type}@${job.elementId}`);
  }

  /**
   * Answers one job of this plan, or holds it when the script says so; throws (or rejects with)
   * {@link ScriptViolation} when the job breaks the script.
   */
  answer(type: JobType, job: IncomingJob, input: Record<string, unknown>, headers: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>> {
    if (!this.toHold.delete(job.elementId)) return this.answerNow(type, job, input, headers);
    return new Promise((resolve, reject) => {
      const release = () => {
        try {
          resolve(this.answerNow(type, job, input, headers));
        } catch (error) {
          reject(error as Error);
        }
      };
      this.held.push({ type, elementId: job.elementId, input, headers, release });
    });
  }

  private answerNow(type: JobType, job: IncomingJob, input: Record<string, unknown>, headers: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
      case 'load-fulfillment-plan':
        return this.load(headers.phase as FulfillmentPhase | undefined);
      case 'execute-fulfillment-task':
        return this.execute(this.taskFor(input), headers.phase as FulfillmentPhase | undefined);
      case 'submit-external-task-request':
        return this.submit(this.taskFor(input));
      case 'apply-external-task-result':
        return this.applyResult(this.taskFor(input));
      case 'apply-fulfillment-timeout':
        return this.applyTimeout(this.taskFor(input), (headers.timeoutKind as TimeoutKind | undefined) ?? 'HARD');
      case 'apply-manual-decision':
        return this.applyDecision(input.currentTaskId as string, input.decision as ManualDecision);
      case 'open-fulfillment-fallout':
        return this.openFallout((input.currentTaskId as string | null | undefined) ?? null, job.elementId);
      case 'start-compensation':
        return this.startCompensation();
      case 'execute-compensation-task':
        return this.compensate((input.compensationTaskId as string | null | undefined) ?? null);
      case 'apply-installed-base-impact':
        return this.applyInstalledBase();
      case 'finalize-order-fulfillment':
        return this.finalize();
    }
  }

  private taskByName(name: string): TaskState {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`no task named ${name}`);
    return task;
  }

  private taskFor(input: Record<string, unknown>): TaskState {
    const id = input.currentTaskId;
    const task = [...this.tasks.values()].find((t) => t.id === id);
    if (!task) throw new ScriptViolation('TASK.UNKNOWN', `task ${String(id)} is not in plan ${this.fulfillmentPlanId}`);
    return task;
  }

  private expectStatus(task: TaskState, allowed: readonly FulfillmentTaskStatus[], action: string): void {
    if (!allowed.includes(task.status)) {
      throw new ScriptViolation('TASK.INVALID_TRANSITION', `${action} on task ${task.name} in status ${task.status} (expected ${allowed.join(' or ')})`);
    }
  }

  private isReady(task: TaskState): boolean {
    return task.status === 'READY' && (task.script.dependsOn ?? []).every((name) => doneStatuses.includes(this.taskByName(name).status));
  }

  private readyIds(phase: FulfillmentPhase | undefined): string[] {
    return [...this.tasks.values()].filter((t) => (phase === undefined || t.script.phase === phase) && this.isReady(t)).map((t) => t.id);
  }

  private allDone(): boolean {
    return [...this.tasks.values()].every((t) => doneStatuses.includes(t.status));
  }

  private load(phase: FulfillmentPhase | undefined): LoadFulfillmentPlanOutput {
    // Only the top-level load decides validity; a phase load runs inside a plan already found valid.
    const planValid = phase === undefined ? (this.planValid.shift() ?? true) : true;
    const readyTaskIds = planValid ? this.readyIds(phase) : [];
    return {
      planValid,
      executionId: this.executionId,
      readyTaskIds,
      moreReadyTasks: readyTaskIds.length > 0,
      allRequiredTasksDone: this.allDone(),
      falloutReason: planValid ? null : 'Plan does not match the order items',
    };
  }

  private execute(task: TaskState, phase: FulfillmentPhase | undefined): ExecuteFulfillmentTaskOutput {
    if (phase !== task.script.phase) throw new ScriptViolation('TASK.WRONG_PHASE', `task ${task.name} of ${task.script.phase} executed in phase ${String(phase)}`);
    // READY on a first run or after a RETRY decision; FALLOUT when the repair came from the console.
    this.expectStatus(task, ['READY', 'FALLOUT'], 'execute');
    task.executions += 1;
    const scripted = task.script.executeResults?.[task.executions - 1];
    const normal: Record<RoutedExecutionMode, FulfillmentTaskStatus> = {
      AUTOMATED_SYNC: 'COMPLETED',
      AUTOMATED_ASYNC: 'IN_PROGRESS',
      WAIT_ONLY: 'WAITING',
      MANUAL: 'WAITING',
    };
    task.status = scripted ?? normal[task.script.mode];
    const manual = task.script.mode === 'MANUAL' && task.status === 'WAITING';
    const view = manual ? this.viewOf(task.id, `${task.script.type} ${task.id}, attempt ${task.executions}`) : null;
    return {
      currentTaskResult: task.status,
      currentTaskType: task.script.type,
      taskExecutionMode: task.script.mode,
      taskTimeout: task.script.timeout ?? null,
      taskReminder: task.script.reminder ?? null,
      moreReadyTasks: this.readyIds(phase).length > 0,
      allRequiredTasksDone: this.allDone(),
      falloutReason: task.status === 'FALLOUT' ? `${task.script.type} rejected by the owner system` : null,
      manualTaskView: view,
    };
  }

  private submit(task: TaskState): SubmitExternalTaskRequestOutput {
    this.expectStatus(task, ['IN_PROGRESS'], 'submit');
    if (!task.script.timeout) throw new ScriptViolation('SCRIPT.NO_TIMEOUT', `asynchronous task ${task.name} needs a timeout`);
    task.status = 'WAITING';
    return { currentTaskResult: 'WAITING', taskTimeout: task.script.timeout, taskReminder: task.script.reminder ?? null, falloutReason: null };
  }

  private applyResult(task: TaskState): ApplyExternalTaskResultOutput {
    this.expectStatus(task, ['WAITING'], 'apply callback result');
    task.status = 'COMPLETED';
    return { currentTaskResult: 'COMPLETED', moreReadyTasks: this.readyIds(task.script.phase).length > 0, allRequiredTasksDone: this.allDone(), falloutReason: null };
  }

  private applyTimeout(task: TaskState, kind: TimeoutKind): ApplyFulfillmentTimeoutOutput {
    this.expectStatus(task, ['WAITING'], kind === 'HARD' ? 'apply timeout' : 'send reminder');
    if (kind === 'SOFT_REMINDER') {
      // Soft timeout (seed §14): remind, keep waiting; the policy's hard actions are not used.
      if (!task.script.reminder) throw new ScriptViolation('SCRIPT.NO_REMINDER', `task ${task.name} has no soft reminder, yet it fired`);
      this.reminders.push(task.name);
      return { currentTaskResult: 'WAITING', timeoutAction: 'REMIND', falloutReason: null };
    }
    const action = task.timeoutActions.shift();
    if (!action) throw new ScriptViolation('SCRIPT.NO_TIMEOUT_ACTION', `task ${task.name} timed out more often than scripted`);
    task.status = timeoutStatus[action];
    return { currentTaskResult: task.status, timeoutAction: action, falloutReason: task.status === 'FALLOUT' ? 'No callback within the task timeout' : null };
  }

  private applyDecision(targetId: string, decision: ManualDecision): ApplyManualDecisionOutput {
    // A plan-level repair decision names the plan in the task slot (docs/decisions/0002).
    if (targetId === this.fulfillmentPlanId) {
      return { currentTaskResult: decisionStatus[decision], moreReadyTasks: false, allRequiredTasksDone: this.allDone(), falloutReason: null };
    }
    const task = this.taskFor({ currentTaskId: targetId });
    this.expectStatus(task, ['WAITING', 'FALLOUT'], `decision ${decision}`);
    task.status = decisionStatus[decision];
    return {
      currentTaskResult: task.status,
      moreReadyTasks: this.readyIds(task.script.phase).length > 0,
      allRequiredTasksDone: this.allDone(),
      falloutReason: null,
    };
  }

  private openFallout(targetId: string | null, elementId: string): OpenFulfillmentFalloutOutput {
    if (targetId === null) throw new ScriptViolation('FALLOUT.NO_TARGET', `fallout opened at ${elementId} without a task or plan id`);
    if (targetId !== this.fulfillmentPlanId) this.expectStatus(this.taskFor({ currentTaskId: targetId }), ['FALLOUT'], 'open fallout');
    const falloutCaseId = randomUUID();
    this.falloutCaseIds.push(falloutCaseId);
    return { falloutCaseId, manualTaskView: this.viewOf(targetId, `fallout case ${falloutCaseId}`, ['RETRY', 'FAIL', 'ESCALATE']) };
  }

  /** The first call plans the steps; a later one (a retried compensation) plans those not yet done, in sequence. */
  private startCompensation(): StartCompensationOutput {
    if (this.compensationTaskIds.length === 0) {
      const count = this.script.compensationTasks ?? 0;
      for (let index = 0; index < count; index += 1) {
        const id = randomUUID();
        this.compensationTaskIds.push(id);
        this.compensationStatus.set(id, 'PLANNED');
      }
    }
    const open = this.compensationTaskIds.filter((id) => this.compensationStatus.get(id) !== 'COMPLETED');
    return { compensationPlanId: randomUUID(), compensationTaskIds: open, requiresManualReview: false };
  }

  private compensate(compensationTaskId: string | null): ExecuteCompensationTaskOutput {
    // Null in a BPMN compensation handler: the domain finds the compensation from the undone step.
    if (compensationTaskId === null) return { compensationTaskResult: 'COMPLETED', falloutReason: null };
    const status = this.compensationStatus.get(compensationTaskId);
    if (status === undefined) throw new ScriptViolation('COMPENSATION.UNKNOWN', `compensation task ${compensationTaskId} was never planned`);
    if (status === 'COMPLETED') throw new ScriptViolation('COMPENSATION.INVALID_TRANSITION', `compensation task ${compensationTaskId} run again after it completed`);
    // Steps run in plan sequence: every step before this one must be done.
    const earlier = this.compensationTaskIds.slice(0, this.compensationTaskIds.indexOf(compensationTaskId));
    const skipped = earlier.filter((id) => this.compensationStatus.get(id) !== 'COMPLETED');
    if (skipped.length > 0) throw new ScriptViolation('COMPENSATION.OUT_OF_SEQUENCE', `compensation task ${compensationTaskId} runs before ${skipped.join(', ')}`);
    const result = this.compensationResults.shift() ?? 'COMPLETED';
    this.compensationStatus.set(compensationTaskId, result);
    const failed = result === 'FAILED' || result === 'MANUAL_REVIEW';
    return { compensationTaskResult: result, falloutReason: failed ? 'Billing reversal rejected by the billing system' : null };
  }

  private applyInstalledBase(): ApplyInstalledBaseImpactOutput {
    const applied = this.installedBaseApplied.shift() ?? true;
    return { installedBaseApplied: applied, falloutReason: applied ? null : 'Asset version conflict' };
  }

  private finalize(): FinalizeOrderFulfillmentOutput {
    const endState = this.endStates.length > 0 ? this.endStates.shift()! : 'COMPLETED';
    return { completionAllowed: endState !== null, fulfillmentEndState: endState, falloutReason: endState === null ? 'Billing is not active yet' : null };
  }

  private viewOf(id: string, details: string, allowedActions: ManualDecision[] = ['COMPLETE', 'FAIL', 'ESCALATE']): ManualTaskView {
    const view: ManualTaskView = {
      orderSummary: `Order ${this.orderId} of ${this.tenantId}: fibre 1 Gbit/s with router`,
      taskDetails: details,
      dependencyContext: 'No open dependencies',
      customerImpact: 'The customer waits for the installation',
      externalEvidence: 'None recorded',
      allowedActions,
      repairRisk: 'None known',
      auditWarning: 'Your decision is audited and applied through the OMS.',
    };
    this.views.set(id, view);
    return view;
  }
}

/** The scripted domain: the plans of every order a test file starts, and the violations seen. */
export class ScriptedDomain {
  private readonly plans = new Map<string, ScriptedPlan>();
  /** Jobs the domain refused, with why; a passing scenario leaves this empty. */
  readonly violations: { planId: string; type: string; elementId: string; message: string }[] = [];

  /** Adds the plan of one order. */
  plan(script: PlanScript): ScriptedPlan {
    const plan = new ScriptedPlan(script);
    this.plans.set(plan.fulfillmentPlanId, plan);
    return plan;
  }

  /**
   * Validates a job against its contract, answers it from its plan (a held job once the test
   * releases it) and validates the answer. Rejects with {@link ScriptViolation} (recorded in
   * {@link violations}) when anything does not fit.
   */
  async handle(job: IncomingJob): Promise<Record<string, unknown>> {
    try {
      const contract = findJobContract(job.type);
      if (!contract) throw new ScriptViolation('JOB.UNKNOWN_TYPE', `no contract for job type ${job.type}`);
      const input = parse(contract.input, job.variables, `input of ${job.type} at ${job.elementId}`);
      const headers = parse(contract.headers, job.customHeaders, `headers of ${job.type} at ${job.elementId}`);
      const plan = this.plans.get(String(input.fulfillmentPlanId));
      if (!plan) throw new ScriptViolation('PLAN.UNKNOWN', `no scripted plan ${String(input.fulfillmentPlanId)}`);
      if (input.tenantId !== plan.tenantId || input.orderId !== plan.orderId) {
        throw new ScriptViolation('PLAN.WRONG_ORDER', `job ${job.type} at ${job.elementId} names another order`);
      }
      const answer = await plan.answer(contract.type as JobType, job, input, headers);
      const output = parse(contract.output, answer, `output of ${job.type}`);
      plan.jobs.push({ type: contract.type as JobType, elementId: job.elementId, processInstanceKey: job.processInstanceKey, input, headers, output });
      return output;
    } catch (error) {
      this.violations.push({ planId: String(job.variables.fulfillmentPlanId), type: job.type, elementId: job.elementId, message: (error as Error).message });
      throw error;
    }
  }
}

function parse(schema: z.ZodType, value: unknown, what: string): Record<string, unknown> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ScriptViolation('CONTRACT.VIOLATED', `${what}: ${result.error.message}`);
  return result.data as Record<string, unknown>;
}
