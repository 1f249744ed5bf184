/**
 * What the gRPC gateway needs from whatever sits behind it: the engine, or (for the benchmark's
 * baseline) a stub with no interpreter and no persistence.
 */
import type { ActivatedJob, ActivationRequest, JobListener } from '../engine';
import type { DeploymentResult, Resource } from '../model/deploy-resources';
import type { MigrationCommand } from '../interpreter/migration/migrate-process-instance';
import type { ProcessInstanceModification } from '../interpreter/modification';
import type { ElementInstanceRecord, MessageRecord, ProcessDefinitionRecord } from '../state/records';

/** The commands and notifications behind the gateway. */
export interface GatewayBackend {
  deploy(resources: Resource[], tenantId: string): Promise<DeploymentResult>;
  findDefinition(query: { bpmnProcessId?: string; version?: number; processDefinitionKey?: number; tenantId: string }): ProcessDefinitionRecord;
  createProcessInstance(definition: ProcessDefinitionRecord, variables: Record<string, unknown>, startElementIds?: string[]): ElementInstanceRecord;
  cancelProcessInstance(key: number): void;
  /** Deletes a deployed process definition or form by its key. */
  deleteResource(key: number): void;
  /** Migrates a process instance to another process definition. */
  migrateProcessInstance(command: MigrationCommand): void;
  /** Activates elements and terminates element instances of a process instance. */
  modifyProcessInstance(modification: ProcessInstanceModification): void;
  onProcessInstanceEnded(key: number, listener: (instance: ElementInstanceRecord) => void): void;
  /** The root-scope variables of a process instance. */
  rootVariables(processInstanceKey: number): Record<string, unknown>;
  activateJobs(request: ActivationRequest): ActivatedJob[];
  yieldJob(key: number): void;
  completeJob(key: number, variables: Record<string, unknown>): void;
  failJob(key: number, retries: number, errorMessage: string, retryBackOff: number, variables: Record<string, unknown>): void;
  throwError(key: number, errorCode: string, errorMessage: string, variables: Record<string, unknown>): void;
  updateJobRetries(key: number, retries: number): void;
  updateJobTimeout(key: number, timeout: number): void;
  resolveIncident(key: number): void;
  publishMessage(message: { name: string; correlationKey: string; timeToLive: number; messageId: string; variables: Record<string, unknown>; tenantId: string }): MessageRecord;
  setVariables(elementInstanceKey: number, variables: Record<string, unknown>, local: boolean): void;
  onJobActivatable(listener: JobListener): () => void;
  /** Resolves when everything applied so far is durable (and writes pending changes). */
  broadcastSignal(signal: { name: string; variables: Record<string, unknown>; tenantId: string }): number;
  flush(): Promise<void>;
  newKey(): number;
}
