/**
 * The engine: commands as Zeebe's gateway exposes them, applied one at a time to the in-memory
 * state by the interpreter, then made durable (group commit) before they are acknowledged.
 * Timers, job timeouts, retry back-offs and message TTLs run from the injectable clock.
 */
import type { Clock } from './clock';
import type { GatewayBackend } from './gateway/backend';
import { Interpreter } from './interpreter/interpreter';
import { CommandRejection } from './interpreter/rejection';
import { deployResources, latestProcessVersions, type DeploymentResult, type Resource } from './model/deploy-resources';
import { parseBpmn } from './model/parse-bpmn';
import { EngineState } from './state/engine-state';
import type { PostgresStore } from './state/postgres-store';
import type { ElementInstanceRecord, FormRecord, JobRecord, MessageRecord, ProcessDefinitionRecord, StartTimerRecord } from './state/records';
import { ExpressionError } from './feel/expression';
import { broadcastSignal, type Signal } from './interpreter/events/signals';
import { planStartTimers, replaceStartTimers } from './interpreter/events/start-timers';
import { TimerValueError } from './interpreter/timer-values';
import { migrateProcessInstance, type MigrationCommand } from './interpreter/migration/migrate-process-instance';
import { modifyProcessInstance, type ProcessInstanceModification } from './interpreter/modification';

/** Ended process instances whose history the engine keeps unless told otherwise. */
export const defaultHistoryLimit = 10_000;

/** The tenant Zeebe uses when multi-tenancy is off or a client sends an empty tenant. */
export const defaultTenant = '<default>';

/** Normalises a tenant id from the wire: empty means the default tenant. */
export function tenantOf(tenantId: string | undefined | null): string {
  return tenantId ? tenantId : defaultTenant;
}

/** A job handed to a worker, with the variables it asked for. */
export interface ActivatedJob {
  job: JobRecord;
  variables: Record<string, unknown>;
}

/** Parameters of a job activation (poll or push). */
export interface ActivationRequest {
  type: string;
  worker: string;
  timeout: number;
  maxJobs: number;
  fetchVariables: string[];
  tenantIds: string[];
}

/** Listener for jobs that became activatable (per job type). */
export type JobListener = (type: string) => void;

/** The engine facade used by the gRPC gateway and the REST API. */
export class Engine implements GatewayBackend {
  readonly state = new EngineState();
  readonly interpreter: Interpreter;
  private readonly jobListeners = new Set<JobListener>();
  private readonly endListeners = new Map<number, Array<(instance: ElementInstanceRecord) => void>>();
  private flushing: Promise<void> | undefined;
  private nextFlush: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribeClock: (() => void) | undefined;
  private stopped = false;
  private tickQueued = false;

  /** Ended process instances whose history is kept, oldest first (see `historyLimit`). */
  private readonly ended: number[] = [];

  /**
   * @param historyLimit how many ended process instances keep their history (element instances,
   *   variables, user tasks, incidents) for the REST API; older ones are forgotten, in memory and
   *   in PostgreSQL. Zeebe itself keeps none (its history lives in the exporters' storage); without
   *   a bound, a long-running engine grows without end and every REST search scans it all.
   */
  constructor(
    readonly clock: Clock,
    private readonly store: PostgresStore | undefined,
    private readonly historyLimit = defaultHistoryLimit,
  ) {
    this.interpreter = new Interpreter(this.state, clock, {
      jobActivatable: (job) => {
        for (const listener of this.jobListeners) listener(job.type);
      },
      processInstanceEnded: (instance) => {
        this.noteEnded(instance.key);
        const listeners = this.endListeners.get(instance.key);
        if (!listeners) return;
        this.endListeners.delete(instance.key);
        for (const listener of listeners) listener(instance);
      },
    });
  }

  /** Loads the durable state (if any), re-parses deployed processes and arms the scheduler. */
  async start(): Promise<void> {
    if (this.store) {
      await this.store.init();
      await this.store.load(this.state);
    }
    for (const definition of [...this.state.values('processes')]) {
      const models = await parseBpmn(definition.resourceName, definition.xml);
      const model = models.find((m) => m.bpmnProcessId === definition.bpmnProcessId);
      if (model) this.interpreter.models.set(definition.key, model);
    }
    this.interpreter.rebuildIndexes();
    const ended = [...this.state.values('elements')].filter((e) => e.flowScopeKey === undefined && (e.state === 'COMPLETED' || e.state === 'TERMINATED'));
    ended.sort((a, b) => (a.endDate ?? 0) - (b.endDate ?? 0) || a.key - b.key);
    for (const instance of ended) this.noteEnded(instance.key);
    this.unsubscribeClock = this.clock.onChange(() => this.tick());
    this.tick();
  }

  /** Stops the scheduler and waits for pending writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribeClock?.();
    await this.flush();
  }

  /**
   * Records an ended process instance and forgets the oldest beyond the limit. Eviction runs in
   * batches of a tenth of the limit, as it scans the records once per batch.
   */
  private noteEnded(processInstanceKey: number): void {
    this.ended.push(processInstanceKey);
    // the instance that just ended is still being finished (its result read, its caller
    // completed), so at least it stays
    const keep = Math.max(1, this.historyLimit);
    const slack = Math.max(1, Math.ceil(keep / 10));
    if (this.ended.length <= keep + slack) return;
    this.forget(new Set(this.ended.splice(0, this.ended.length - keep)));
  }

  /** Removes every record of the given (ended) process instances. */
  private forget(processInstanceKeys: Set<number>): void {
    for (const element of [...this.state.values('elements')]) {
      if (!processInstanceKeys.has(element.processInstanceKey)) continue;
      this.state.remove('elements', element.key);
      this.state.remove('variables', element.key);
    }
    for (const collection of ['userTasks', 'incidents', 'compensations', 'jobs'] as const) {
      for (const record of [...this.state.values(collection)]) {
        if (processInstanceKeys.has(record.processInstanceKey)) this.state.remove(collection, record.key);
      }
    }
  }

  /** Hands out a fresh key (e.g. for command acknowledgements). */
  newKey(): number {
    return this.state.newKey();
  }

  /** The root-scope variables of a process instance. */
  rootVariables(processInstanceKey: number): Record<string, unknown> {
    return this.interpreter.variables.local(processInstanceKey);
  }

  /** Registers a listener for activatable jobs. */
  onJobActivatable(listener: JobListener): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  /** Calls `listener` once when the process instance ends (completed or terminated). */
  onProcessInstanceEnded(key: number, listener: (instance: ElementInstanceRecord) => void): void {
    const list = this.endListeners.get(key) ?? [];
    list.push(listener);
    this.endListeners.set(key, list);
  }

  /**
   * Makes all changes so far durable. Commands arriving while a write runs are written together
   * in the next one, so the cost of a commit is shared.
   */
  flush(): Promise<void> {
    if (!this.store) {
      this.state.takeChanges();
      return Promise.resolve();
    }
    // Nothing pending: every change so far is in the running write (or already committed), so
    // that write is all the caller has to wait for. Waiting for the next one as well cost callers
    // whose changes another caller had already handed over a second commit.
    if (!this.state.hasChanges()) return this.flushing ?? Promise.resolve();
    if (!this.flushing) {
      const store = this.store;
      const changes = this.state.takeChanges();
      this.flushing = store
        .write(changes)
        .catch((error: unknown) => {
          // the commands stay unacknowledged (their callers get the error); the next write retries the records
          this.state.requeue(changes);
          throw error;
        })
        .finally(() => {
          this.flushing = undefined;
        });
      return this.flushing;
    }
    // A write is running: everything changed meanwhile goes into one next write, shared by all
    // callers that arrive before it starts.
    this.nextFlush ??= this.flushing
      .catch(() => undefined)
      .then(() => {
        this.nextFlush = undefined;
        return this.flush();
      });
    return this.nextFlush;
  }

  // ---------------------------------------------------------------- scheduler

  /** Fires everything that is due on the clock and arms a wake-up for the next due moment. */
  tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const timer of [...this.state.values('timers')]) {
      if (timer.dueDate <= now) this.interpreter.fireTimer(timer);
    }
    for (const timer of this.state.values('timers')) next = Math.min(next, timer.dueDate);
    for (const job of [...this.state.values('jobs')]) {
      if (job.state === 'ACTIVATED' && job.deadline <= now) {
        // A timed-out activation makes the job activatable again under the same key.
        job.worker = '';
        job.deadline = -1;
        this.interpreter.setJobState(job, 'ACTIVATABLE');
      } else if (job.state === 'BACKOFF' && (job.recurAt ?? 0) <= now) {
        delete job.recurAt;
        this.interpreter.setJobState(job, 'ACTIVATABLE');
      } else if (job.state === 'ACTIVATED') next = Math.min(next, job.deadline);
      else if (job.state === 'BACKOFF') next = Math.min(next, job.recurAt ?? now);
    }
    for (const timer of [...this.state.values('startTimers')]) {
      if (timer.dueDate <= now) this.interpreter.fireStartTimer(timer);
    }
    for (const timer of this.state.values('startTimers')) next = Math.min(next, timer.dueDate);
    for (const message of [...this.state.values('messages')]) {
      if (message.deadline <= now) this.state.remove('messages', message.key);
      else next = Math.min(next, message.deadline);
    }
    if (this.state.hasChanges()) void this.flush().catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (Number.isFinite(next)) {
      const delay = Math.max(0, Math.min(next - now, 2 ** 31 - 1));
      this.timer = setTimeout(() => this.tick(), delay);
      this.timer.unref();
    }
  }

  /**
   * Re-arms the scheduler after a command that may have created timers or deadlines. One tick per
   * turn of the event loop covers every command of that turn (a tick scans all open jobs and
   * timers, so one per command cost work proportional to commands × open jobs under load).
   */
  private reschedule(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    setImmediate(() => {
      this.tickQueued = false;
      this.tick();
    });
  }

  // ---------------------------------------------------------------- deployment and instances

  /** Deploys BPMN and form resources. */
  async deploy(resources: Resource[], tenantId: string): Promise<DeploymentResult> {
    let result: DeploymentResult;
    try {
      result = await deployResources(this.state, resources, tenantId);
    } catch (error) {
      if ((error as { code?: string }).code === 'DEPLOY.INVALID_RESOURCE') {
        throw new CommandRejection('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:\n${(error as Error).message}`);
      }
      throw error;
    }
    // Versions new in this deployment schedule their timer start events; one whose timer value
    // cannot be evaluated rejects the whole deployment, before anything of it is kept.
    const added = result.processes.filter((definition) => definition.deploymentKey === result.key);
    let plans: Array<[ProcessDefinitionRecord, StartTimerRecord[]]>;
    try {
      plans = added.map((definition) => [definition, planStartTimers(this.interpreter, definition, result.models.get(definition.key)!)]);
    } catch (error) {
      if (!(error instanceof ExpressionError || error instanceof TimerValueError)) throw error;
      for (const definition of added) this.state.remove('processes', definition.key);
      for (const form of result.forms) if (form.deploymentKey === result.key) this.state.remove('forms', form.key);
      throw new CommandRejection('INVALID_ARGUMENT', `Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:\n${error.message}`);
    }
    for (const [key, model] of result.models) this.interpreter.models.set(key, model);
    for (const [definition, timers] of plans) replaceStartTimers(this.interpreter, definition, timers);
    this.reschedule();
    return result;
  }

  /**
   * Deletes a deployed process definition or form by its key, as Zeebe 8.8's
   * ResourceDeletionDeleteProcessor (camunda/camunda, zeebe/engine/.../processing/resource/):
   * - unknown key: NOT_FOUND "Expected to delete resource but no resource found with key `k`";
   * - a process definition with running instances (process instances of that very version):
   *   INVALID_STATE "Expected to delete resource with key `k` but there are still running
   *   instances", and nothing changes (Zeebe's rejection rolls the command back);
   * - else the version is gone: it can no longer be started, and when it was the latest, the
   *   previous version becomes the latest again, so start by bpmnProcessId, message and signal
   *   start events (which always look up the latest version) and timer start events (rescheduled
   *   here) go to it. The version number is kept so that no later deployment reuses it.
   * History of ended instances stays (8.8 deletes only the runtime state).
   */
  deleteResource(key: number): void {
    const definition = this.state.get('processes', key);
    if (definition) {
      this.deleteProcess(definition);
      return;
    }
    const form = this.state.get('forms', key);
    if (form) {
      this.deleteForm(form);
      return;
    }
    throw new CommandRejection('NOT_FOUND', `Expected to delete resource but no resource found with key \`${key}\``);
  }

  private deleteProcess(definition: ProcessDefinitionRecord): void {
    const running = [...this.state.values('elements')].some((e) => e.flowScopeKey === undefined && e.processDefinitionKey === definition.key && this.interpreter.isActive(e));
    if (running) {
      throw new CommandRejection('INVALID_STATE', `Expected to delete resource with key \`${definition.key}\` but there are still running instances`);
    }
    const versions = [...this.state.values('processes')].filter((p) => p.bpmnProcessId === definition.bpmnProcessId && p.tenantId === definition.tenantId);
    const isLatest = versions.every((p) => p.version <= definition.version);
    // the previous version's timers are planned before anything changes: an error leaves the state as it was
    const previous = isLatest ? versions.filter((p) => p.key !== definition.key).sort((a, b) => b.version - a.version)[0] : undefined;
    const previousTimers = previous ? planStartTimers(this.interpreter, previous, this.interpreter.model({ processDefinitionKey: previous.key })) : [];
    this.state.remove('processes', definition.key);
    this.interpreter.models.delete(definition.key);
    this.state.put('deletedResources', definition.key, { key: definition.key, kind: 'process', resourceId: definition.bpmnProcessId, version: definition.version, tenantId: definition.tenantId });
    if (isLatest) {
      for (const timer of [...this.state.values('startTimers')]) {
        if (timer.processDefinitionKey === definition.key) this.state.remove('startTimers', timer.key);
      }
      if (previous) replaceStartTimers(this.interpreter, previous, previousTimers);
    }
    this.reschedule();
  }

  private deleteForm(form: FormRecord): void {
    this.state.remove('forms', form.key);
    this.state.put('deletedResources', form.key, { key: form.key, kind: 'form', resourceId: form.formId, version: form.version, tenantId: form.tenantId });
  }

  /** Finds the process definition to start. */
  findDefinition(query: { bpmnProcessId?: string; version?: number; processDefinitionKey?: number; tenantId: string }): ProcessDefinitionRecord {
    if (query.processDefinitionKey) {
      const definition = this.state.get('processes', query.processDefinitionKey);
      if (!definition) throw new CommandRejection('NOT_FOUND', `Expected to find process definition with key '${query.processDefinitionKey}', but none found`);
      return definition;
    }
    let found: ProcessDefinitionRecord | undefined;
    for (const candidate of this.state.values('processes')) {
      if (candidate.bpmnProcessId !== query.bpmnProcessId || candidate.tenantId !== query.tenantId) continue;
      if (query.version !== undefined && query.version >= 0) {
        if (candidate.version === query.version) found = candidate;
      } else if (!found || candidate.version > found.version) found = candidate;
    }
    if (!found) {
      const version = query.version !== undefined && query.version >= 0 ? `version '${query.version}'` : 'latest version';
      throw new CommandRejection('NOT_FOUND', `Expected to find process definition with process ID '${query.bpmnProcessId}' and ${version}, but none found`);
    }
    return found;
  }

  /** Creates a process instance. */
  createProcessInstance(
    definition: ProcessDefinitionRecord,
    variables: Record<string, unknown>,
    startElementIds: string[] = [],
  ): ElementInstanceRecord {
    const model = this.interpreter.models.get(definition.key)!;
    for (const id of startElementIds) {
      const element = model.elements[id];
      if (!element || element.parentId !== definition.bpmnProcessId) {
        throw new CommandRejection('INVALID_ARGUMENT', `Expected to find element with id '${id}' at the top level of process '${definition.bpmnProcessId}', but not found`);
      }
    }
    if (startElementIds.length === 0 && !model.elements[definition.bpmnProcessId]!.noneStartId) {
      throw new CommandRejection('INVALID_STATE', `Expected to create instance of process with none start event, but there is no such event`);
    }
    const root = this.interpreter.createProcessInstance(definition, variables, { startElementIds });
    this.reschedule();
    return root;
  }

  /** Cancels an active process instance (terminates everything inside it). */
  cancelProcessInstance(key: number): void {
    const instance = this.state.get('elements', key);
    if (!instance || instance.flowScopeKey !== undefined || !this.interpreter.isActive(instance)) {
      throw new CommandRejection('NOT_FOUND', `Expected to cancel a process instance with key '${key}', but no such process was found`);
    }
    if (instance.parentProcessInstanceKey !== undefined) {
      throw new CommandRejection('INVALID_STATE', `Expected to cancel a process instance with key '${key}', but it is created by a parent process instance. Cancel the root process instance '${instance.parentProcessInstanceKey}' instead.`);
    }
    this.interpreter.terminate(instance);
  }

  /**
   * Migrates an active process instance to another process definition (Zeebe 8.8's
   * ProcessInstanceMigrationMigrateProcessor; rules and cites in interpreter/migration/). A
   * rejection changes nothing.
   */
  migrateProcessInstance(command: MigrationCommand): void {
    migrateProcessInstance(this.interpreter, command);
    this.reschedule();
  }

  /**
   * Modifies an active process instance: activates elements, terminates element instances (Zeebe
   * 8.8's ProcessInstanceModificationModifyProcessor; rules and cites in interpreter/modification/).
   * A rejection changes nothing.
   */
  modifyProcessInstance(modification: ProcessInstanceModification): void {
    modifyProcessInstance(this.interpreter, modification);
    this.reschedule();
  }

  // ---------------------------------------------------------------- jobs

  private getJob(key: number, command: string): JobRecord {
    const job = this.state.get('jobs', key);
    if (!job) {
      throw new CommandRejection('NOT_FOUND', `Expected to ${command} job with key '${key}', but no such job was found`);
    }
    return job;
  }

  /** Activates up to `maxJobs` activatable jobs of a type for a worker. */
  activateJobs(request: ActivationRequest): ActivatedJob[] {
    const keys = this.interpreter.activatable.get(request.type);
    if (!keys || keys.size === 0) return [];
    const tenants = request.tenantIds.length > 0 ? request.tenantIds.map(tenantOf) : [defaultTenant];
    const activated: ActivatedJob[] = [];
    const now = this.clock.now();
    for (const key of [...keys]) {
      if (activated.length >= request.maxJobs) break;
      const job = this.state.get('jobs', key)!;
      if (!tenants.includes(job.tenantId)) continue;
      job.worker = request.worker;
      job.deadline = now + request.timeout;
      this.interpreter.setJobState(job, 'ACTIVATED');
      const all = this.interpreter.variables.visible(job.elementInstanceKey);
      let variables = all;
      if (request.fetchVariables.length > 0) {
        variables = {};
        for (const name of request.fetchVariables) if (Object.hasOwn(all, name)) variables[name] = all[name];
      }
      activated.push({ job, variables });
    }
    if (activated.length > 0) this.reschedule();
    return activated;
  }

  /** Hands a pushed job back (its stream went away before it was delivered). */
  yieldJob(key: number): void {
    const job = this.state.get('jobs', key);
    if (job && job.state === 'ACTIVATED') {
      job.worker = '';
      job.deadline = -1;
      this.interpreter.setJobState(job, 'ACTIVATABLE');
    }
  }

  /** Completes a job; accepted while the job is activatable or activated (as Zeebe). */
  completeJob(key: number, variables: Record<string, unknown>): void {
    const job = this.getJob(key, 'complete');
    this.requireOpen(job, 'complete');
    const instance = this.state.get('elements', job.elementInstanceKey)!;
    this.interpreter.setJobState(job, 'FAILED');
    this.state.remove('jobs', key);
    delete instance.jobKey;
    const element = this.interpreter.element(instance);
    this.interpreter.applyResultVariables(instance, element, variables);
    this.interpreter.complete(instance);
    this.reschedule();
  }

  private requireOpen(job: JobRecord, command: string): void {
    // Zeebe accepts complete / fail / throw-error only for activatable or activated jobs; a job
    // waiting out its retry back-off is a failed job.
    if (job.state === 'FAILED' || job.state === 'BACKOFF') {
      throw new CommandRejection('INVALID_STATE', `Expected to ${command} job with key '${job.key}', but it is in state 'FAILED'`);
    }
    if (job.state === 'ERROR_THROWN') {
      throw new CommandRejection('INVALID_STATE', `Expected to ${command} job with key '${job.key}', but it is in state 'ERROR_THROWN'`);
    }
  }

  /** Fails a job: retried (after the back-off) while retries remain, else an incident. */
  failJob(key: number, retries: number, errorMessage: string, retryBackOff: number, variables: Record<string, unknown>): void {
    const job = this.getJob(key, 'fail');
    this.requireOpen(job, 'fail');
    job.retries = retries;
    job.errorMessage = errorMessage;
    job.worker = '';
    job.deadline = -1;
    // Variables of a failed job land on the task's own scope (Zeebe: local variables).
    this.interpreter.variables.setLocal(job.elementInstanceKey, variables);
    if (retries > 0) {
      if (retryBackOff > 0) {
        job.recurAt = this.clock.now() + retryBackOff;
        this.interpreter.setJobState(job, 'BACKOFF');
      } else {
        this.interpreter.setJobState(job, 'ACTIVATABLE');
      }
    } else {
      this.interpreter.setJobState(job, 'FAILED');
      const instance = this.state.get('elements', job.elementInstanceKey)!;
      const incident = this.interpreter.raiseIncident(instance, 'JOB_NO_RETRIES', errorMessage || 'No more retries left.', undefined, { jobKey: job.key });
      job.incidentKey = incident.key;
      this.state.put('jobs', job.key, job);
    }
    this.reschedule();
  }

  /** Throws a BPMN error for a job. */
  throwError(key: number, errorCode: string, errorMessage: string, variables: Record<string, unknown>): void {
    const job = this.getJob(key, 'throw an error for');
    this.requireOpen(job, 'throw an error for');
    const instance = this.state.get('elements', job.elementInstanceKey)!;
    job.errorMessage = errorMessage;
    this.interpreter.setJobState(job, 'ERROR_THROWN');
    const caught = this.interpreter.throwError(instance, { code: errorCode, message: errorMessage, variables }, job);
    if (!caught) {
      const incident = [...this.state.values('incidents')].find((i) => i.jobKey === job.key && i.state === 'ACTIVE');
      if (incident) job.incidentKey = incident.key;
      this.state.put('jobs', job.key, job);
    }
    this.reschedule();
  }

  /** Sets a job's retries (must be positive). */
  updateJobRetries(key: number, retries: number): void {
    const job = this.getJob(key, 'update retries of');
    if (retries < 1) {
      throw new CommandRejection('INVALID_ARGUMENT', `Expected to update retries for job with key '${key}' with a positive amount of retries, but the amount given was '${retries}'`);
    }
    job.retries = retries;
    this.state.put('jobs', key, job);
  }

  /** Changes the activation deadline of an activated job. */
  updateJobTimeout(key: number, timeout: number): void {
    const job = this.getJob(key, 'update the timeout of');
    if (job.state !== 'ACTIVATED') {
      throw new CommandRejection('INVALID_STATE', `Expected to update the timeout of job with key '${key}', but it is not active`);
    }
    job.deadline = this.clock.now() + timeout;
    this.state.put('jobs', key, job);
    this.reschedule();
  }

  /** Resolves an incident: a job incident makes the job activatable again (it needs retries). */
  resolveIncident(key: number): void {
    const incident = this.state.get('incidents', key);
    if (!incident || incident.state !== 'ACTIVE') {
      throw new CommandRejection('NOT_FOUND', `Expected to resolve incident with key '${key}', but no such incident was found`);
    }
    if (incident.jobKey !== undefined) {
      const job = this.state.get('jobs', incident.jobKey);
      if (job && job.state === 'FAILED' && job.retries <= 0) {
        throw new CommandRejection('INVALID_STATE', `Expected to resolve incident with key '${key}', but job with key '${job.key}' has no retries left; update its retries first`);
      }
      incident.state = 'RESOLVED';
      this.state.put('incidents', key, incident);
      const instance = this.state.get('elements', incident.elementInstanceKey);
      if (instance) {
        delete instance.incident;
        this.state.put('elements', instance.key, instance);
      }
      if (job) {
        delete job.incidentKey;
        this.interpreter.setJobState(job, 'ACTIVATABLE');
      }
    } else {
      incident.state = 'RESOLVED';
      this.state.put('incidents', key, incident);
      this.interpreter.retryAfterIncident(incident);
    }
    this.reschedule();
  }

  // ---------------------------------------------------------------- messages and variables

  /**
   * Publishes a message: correlates it to the open subscriptions (one per process), and buffers
   * it for its TTL so later subscriptions can still correlate it.
   */
  publishMessage(message: { name: string; correlationKey: string; timeToLive: number; messageId: string; variables: Record<string, unknown>; tenantId: string }): MessageRecord {
    if (message.messageId) {
      for (const existing of this.state.values('messages')) {
        if (existing.name === message.name && existing.messageId === message.messageId && existing.tenantId === message.tenantId && existing.deadline > this.clock.now()) {
          throw new CommandRejection('ALREADY_EXISTS', `Expected to publish a new message with id '${message.messageId}', but a message with that id was already published`);
        }
      }
    }
    const record: MessageRecord = {
      key: this.state.newKey(),
      name: message.name,
      correlationKey: message.correlationKey,
      messageId: message.messageId,
      variables: message.variables,
      deadline: this.clock.now() + Math.max(0, message.timeToLive),
      tenantId: message.tenantId,
      correlatedProcesses: [],
    };
    const candidates = [...this.state.values('subscriptions')].filter(
      (s) => !s.signal && s.messageName === record.name && s.correlationKey === record.correlationKey && s.tenantId === record.tenantId,
    );
    for (const subscription of candidates) {
      if (record.correlatedProcesses.includes(subscription.bpmnProcessId)) continue;
      if (!this.state.get('subscriptions', subscription.key)) continue;
      record.correlatedProcesses.push(subscription.bpmnProcessId);
      this.interpreter.triggerSubscription(subscription, record.variables);
    }
    this.startByMessage(record);
    if (message.timeToLive > 0) this.state.put('messages', record.key, record);
    this.reschedule();
    return record;
  }

  private startByMessage(message: MessageRecord): void {
    for (const definition of latestProcessVersions(this.state, message.tenantId)) {
      if (message.correlatedProcesses.includes(definition.bpmnProcessId)) continue;
      const model = this.interpreter.models.get(definition.key)!;
      const startId = model.messageStartIds.find((id) => model.elements[id]!.event?.messageName === message.name);
      if (!startId) continue;
      // One active instance per correlation key, as Zeebe guards message start events.
      if (message.correlationKey) {
        const busy = [...this.state.values('elements')].some(
          (e) => e.flowScopeKey === undefined && e.bpmnProcessId === definition.bpmnProcessId && this.interpreter.isActive(e) && (e as ElementInstanceRecord & { startCorrelationKey?: string }).startCorrelationKey === message.correlationKey,
        );
        if (busy) continue;
      }
      message.correlatedProcesses.push(definition.bpmnProcessId);
      const root = this.interpreter.createProcessInstance(definition, {}, { eventStart: { elementId: startId, variables: message.variables } });
      if (message.correlationKey && this.interpreter.isActive(root)) {
        (root as ElementInstanceRecord & { startCorrelationKey?: string }).startCorrelationKey = message.correlationKey;
        this.state.put('elements', root.key, root);
      }
    }
  }

  /**
   * Broadcasts a signal (docs.camunda.io/docs/components/concepts/signals/): it triggers every
   * open signal subscription of that name in the tenant, and starts one instance of the latest
   * version of each process with a matching signal start event. Signals are not buffered.
   */
  broadcastSignal(signal: Signal): number {
    const key = this.state.newKey();
    broadcastSignal(this.interpreter, signal);
    this.reschedule();
    return key;
  }

  /** Sets variables on an element instance scope (local) or propagates them (not local). */
  setVariables(elementInstanceKey: number, variables: Record<string, unknown>, local: boolean): void {
    const instance = this.state.get('elements', elementInstanceKey);
    if (!this.interpreter.isActive(instance)) {
      throw new CommandRejection('NOT_FOUND', `Expected to update variables for element with key '${elementInstanceKey}', but no such element was found`);
    }
    if (local) this.interpreter.variables.setLocal(elementInstanceKey, variables);
    else this.interpreter.variables.propagate(elementInstanceKey, variables);
  }

  // ---------------------------------------------------------------- user tasks

  private getUserTask(key: number, command: string) {
    const task = this.state.get('userTasks', key);
    if (!task || task.state !== 'CREATED') {
      throw new CommandRejection('NOT_FOUND', `Expected to ${command} user task with key '${key}', but no such user task was found`);
    }
    return task;
  }

  /** Assigns (or with undefined, unassigns) a user task. */
  assignUserTask(key: number, assignee: string | undefined, allowOverride = true): void {
    const task = this.getUserTask(key, assignee ? 'assign' : 'unassign');
    if (assignee && task.assignee && task.assignee !== assignee && !allowOverride) {
      throw new CommandRejection('INVALID_STATE', `Expected to assign user task with key '${key}', but it is already assigned to '${task.assignee}'`);
    }
    if (assignee) task.assignee = assignee;
    else delete task.assignee;
    this.state.put('userTasks', key, task);
  }

  /** Completes a user task with variables (propagated as job variables are). */
  completeUserTask(key: number, variables: Record<string, unknown>): void {
    const task = this.getUserTask(key, 'complete');
    const instance = this.state.get('elements', task.elementInstanceKey);
    task.state = 'COMPLETED';
    task.completionDate = this.clock.now();
    this.state.put('userTasks', key, task);
    if (!this.interpreter.isActive(instance)) return;
    delete instance.userTaskKey;
    const element = this.interpreter.element(instance);
    this.interpreter.applyResultVariables(instance, element, variables);
    this.interpreter.complete(instance);
    this.reschedule();
  }
}
