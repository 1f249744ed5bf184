/**
 * The REST-first client Camunda recommends since 8.8, `@camunda8/orchestration-cluster-api`
 * (8.8.x), pointed at a harness's engine exactly as an application would point it at a cluster.
 * The loose variant types every key as a plain string (the strict one brands them).
 */
import { createCamundaClientLoose, type CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import type { Harness } from './harness';

/** A client of the engine's REST API (`CAMUNDA_REST_ADDRESS`, no authentication). */
export function orchestrationClient(harness: Harness): CamundaClientLoose {
  return createCamundaClientLoose({
    config: { CAMUNDA_REST_ADDRESS: harness.engine.restAddress, CAMUNDA_AUTH_STRATEGY: 'NONE', CAMUNDA_SDK_LOG_LEVEL: 'silent' },
  });
}

/** A file as `createDeployment` takes it (the loose client's types map `File` structurally). */
export type DeploymentFile = Parameters<CamundaClientLoose['createDeployment']>[0]['resources'][number];

/** A resource as the file a multipart deployment uploads. */
export function resourceFile(name: string, content: string): DeploymentFile {
  return new File([content], name, { type: name.endsWith('.bpmn') ? 'application/xml' : 'application/octet-stream' }) as unknown as DeploymentFile;
}

/** A BPMN document as the file a multipart deployment uploads, named after its process id. */
export function bpmnFile(processId: string, xml: string): DeploymentFile {
  return resourceFile(`${processId}.bpmn`, xml);
}

/** No eventual consistency to wait for: the local engine answers from its current state. */
export const strongly = { consistency: { waitUpToMs: 0 } } as const;

/** Deploys one BPMN document over REST, as a multipart upload named after its process id. */
export function deployBpmn(api: CamundaClientLoose, processId: string, xml: string) {
  return api.createDeployment({ resources: [bpmnFile(processId, xml)] });
}

/** The state of a process instance, read over REST. */
export async function processInstanceState(api: CamundaClientLoose, processInstanceKey: string) {
  return (await api.getProcessInstance({ processInstanceKey }, strongly)).state;
}
