/**
 * The benchmark's baseline: the same gRPC layer with a stub behind it. Every instance is a chain of
 * `tasks` jobs, one after the other (as the benchmark's processes are), and ends when its last job
 * completes. No interpreter, no FEEL, no persistence — the ceiling of the SDK + gRPC path for the
 * same number of job round trips on this machine.
 */
import type { ActivatedJob, ActivationRequest, JobListener } from '../engine';
import type { GatewayBackend } from '../gateway/backend';
import { CommandRejection } from '../interpreter/rejection';
import type { DeploymentResult } from '../model/deploy-resources';
import type { ElementInstanceRecord, JobRecord, MessageRecord, ProcessDefinitionRecord } from '../state/records';

function unsupported(): never {
  throw new CommandRejection('INVALID_STATE', 'not supported by the benchmark stub');
}

/** A backend that turns each instance into a chain of `tasks` jobs of a fixed type. */
export class StubBackend implements GatewayBackend {
  private next = 2 ** 51 + 1;
  private readonly queue = new Map<number, JobRecord>();
  private readonly jobs = new Map<number, JobRecord>();
  private readonly roots = new Map<number, ElementInstanceRecord>();
  private readonly endListeners = new Map<number, (instance: ElementInstanceRecord) => void>();
  private readonly listeners = new Set<JobListener>();

  /** Jobs still to come per instance after the current one. */
  private readonly remaining = new Map<number, number>();

  /**
   * @param jobType the type of every job
   * @param tasks jobs per instance (the benchmark process's number of service tasks)
   */
  constructor(
    private readonly jobType: string,
    private readonly tasks = 1,
  ) {}

  newKey(): number {
    return this.next++;
  }

  async deploy(): Promise<DeploymentResult> {
    return { key: this.newKey(), tenantId: '<default>', processes: [], forms: [], models: new Map() };
  }

  findDefinition(query: { bpmnProcessId?: string; tenantId: string }): ProcessDefinitionRecord {
    return { key: 1, bpmnProcessId: query.bpmnProcessId ?? 'stub', version: 1, resourceName: 'stub.bpmn', checksum: '', xml: '', tenantId: query.tenantId, deploymentKey: 1 };
  }

  createProcessInstance(definition: ProcessDefinitionRecord, variables: Record<string, unknown>): ElementInstanceRecord {
    const key = this.newKey();
    const root: ElementInstanceRecord = {
      key,
      processInstanceKey: key,
      processDefinitionKey: definition.key,
      bpmnProcessId: definition.bpmnProcessId,
      elementId: definition.bpmnProcessId,
      bpmnElementType: 'PROCESS',
      state: 'ACTIVATED',
      tenantId: definition.tenantId,
      startDate: Date.now(),
      activeChildren: 1,
    };
    this.roots.set(key, root);
    this.remaining.set(key, this.tasks - 1);
    void variables;
    this.createJob(root);
    return root;
  }

  private createJob(root: ElementInstanceRecord): void {
    const job: JobRecord = {
      key: this.newKey(),
      type: this.jobType,
      processInstanceKey: root.key,
      processDefinitionKey: root.processDefinitionKey,
      processDefinitionVersion: 1,
      bpmnProcessId: root.bpmnProcessId,
      elementId: 'task',
      elementInstanceKey: root.key,
      customHeaders: {},
      retries: 3,
      state: 'ACTIVATABLE',
      worker: '',
      deadline: -1,
      errorMessage: '',
      tenantId: root.tenantId,
      created: Date.now(),
    };
    this.jobs.set(job.key, job);
    this.queue.set(job.key, job);
    for (const listener of this.listeners) listener(job.type);
  }

  onProcessInstanceEnded(key: number, listener: (instance: ElementInstanceRecord) => void): void {
    this.endListeners.set(key, listener);
  }

  rootVariables(): Record<string, unknown> {
    return {};
  }

  activateJobs(request: ActivationRequest): ActivatedJob[] {
    const result: ActivatedJob[] = [];
    if (request.type !== this.jobType) return result;
    for (const job of this.queue.values()) {
      if (result.length >= request.maxJobs) break;
      this.queue.delete(job.key);
      job.state = 'ACTIVATED';
      job.worker = request.worker;
      job.deadline = Date.now() + request.timeout;
      result.push({ job, variables: {} });
    }
    return result;
  }

  yieldJob(key: number): void {
    const job = this.jobs.get(key);
    if (job) this.queue.set(key, job);
  }

  completeJob(key: number): void {
    const job = this.jobs.get(key);
    if (!job) throw new CommandRejection('NOT_FOUND', `Expected to complete job with key '${key}', but no such job was found`);
    this.jobs.delete(key);
    this.queue.delete(key);
    const root = this.roots.get(job.processInstanceKey)!;
    const remaining = this.remaining.get(root.key)!;
    if (remaining > 0) {
      this.remaining.set(root.key, remaining - 1);
      this.createJob(root);
      return;
    }
    this.remaining.delete(root.key);
    this.roots.delete(root.key);
    root.state = 'COMPLETED';
    const listener = this.endListeners.get(root.key);
    this.endListeners.delete(root.key);
    listener?.(root);
  }

  onJobActivatable(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {}

  cancelProcessInstance(): void {
    unsupported();
  }
  failJob(): void {
    unsupported();
  }
  throwError(): void {
    unsupported();
  }
  updateJobRetries(): void {
    unsupported();
  }
  updateJobTimeout(): void {
    unsupported();
  }
  resolveIncident(): void {
    unsupported();
  }
  publishMessage(): MessageRecord {
    unsupported();
  }
  broadcastSignal(): number {
    unsupported();
  }
  setVariables(): void {
    unsupported();
  }
  deleteResource(): void {
    unsupported();
  }
  migrateProcessInstance(): void {
    unsupported();
  }
  modifyProcessInstance(): void {
    unsupported();
  }
}
