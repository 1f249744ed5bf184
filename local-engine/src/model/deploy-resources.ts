/**
 * Deployment of BPMN and form resources: parse everything first (all-or-nothing, as Zeebe), then
 * assign versions per process id / form id. A resource identical to the latest version of the
 * same id is not versioned again: the existing definition is returned, as Zeebe does.
 */
import { createHash } from 'node:crypto';
import type { EngineState } from '../state/engine-state';
import type { FormRecord, ProcessDefinitionRecord } from '../state/records';
import { InvalidResourceError, parseBpmn } from './parse-bpmn';
import type { ProcessModel } from './process-model';

/** One resource of a deployment. */
export interface Resource {
  name: string;
  content: Buffer;
}

/** What a deployment produced, in resource order. */
export interface DeploymentResult {
  key: number;
  tenantId: string;
  processes: ProcessDefinitionRecord[];
  forms: FormRecord[];
  models: Map<number, ProcessModel>;
}

function checksum(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function latest<T extends { version: number; tenantId: string }>(records: Iterable<T>, matches: (r: T) => boolean, tenantId: string): T | undefined {
  let found: T | undefined;
  for (const record of records) {
    if (record.tenantId === tenantId && matches(record) && (!found || record.version > found.version)) found = record;
  }
  return found;
}

/** The highest version a deleted process or form of this id had (0 when none was deleted). */
function highestDeletedVersion(state: EngineState, kind: 'process' | 'form', resourceId: string, tenantId: string): number {
  let highest = 0;
  for (const deleted of state.values('deletedResources')) {
    if (deleted.kind === kind && deleted.resourceId === resourceId && deleted.tenantId === tenantId) highest = Math.max(highest, deleted.version);
  }
  return highest;
}

/** The latest version of each process of a tenant (message and signal start events start only these). */
export function latestProcessVersions(state: EngineState, tenantId: string): ProcessDefinitionRecord[] {
  const latestById = new Map<string, ProcessDefinitionRecord>();
  for (const definition of state.values('processes')) {
    if (definition.tenantId !== tenantId) continue;
    const current = latestById.get(definition.bpmnProcessId);
    if (!current || definition.version > current.version) latestById.set(definition.bpmnProcessId, definition);
  }
  return [...latestById.values()];
}

/**
 * Validates and stores the resources.
 * @throws InvalidResourceError when any resource is invalid (nothing is stored then).
 */
export async function deployResources(state: EngineState, resources: Resource[], tenantId: string): Promise<DeploymentResult> {
  if (resources.length === 0) throw new InvalidResourceError('deployment', ['Expected to deploy at least one resource, but none given']);
  const parsed: Array<{ resource: Resource; text: string; bpmn?: ProcessModel[]; form?: { id: string } }> = [];
  const errors: string[] = [];
  for (const resource of resources) {
    const text = resource.content.toString('utf8');
    if (resource.name.endsWith('.bpmn') || resource.name.endsWith('.xml')) {
      try {
        parsed.push({ resource, text, bpmn: await parseBpmn(resource.name, text) });
      } catch (error) {
        if (error instanceof InvalidResourceError) errors.push(error.message);
        else throw error;
      }
    } else if (resource.name.endsWith('.form')) {
      try {
        const schema = JSON.parse(text) as { id?: unknown };
        if (typeof schema.id !== 'string' || schema.id === '') throw new Error('the form has no id');
        parsed.push({ resource, text, form: { id: schema.id } });
      } catch (error) {
        errors.push(`'${resource.name}': not a valid form: ${(error as Error).message}`);
      }
    } else {
      errors.push(`'${resource.name}': expected a resource ending in .bpmn, .xml or .form (DMN is not supported by the local engine)`);
    }
  }
  if (errors.length > 0) throw new InvalidResourceError(resources.map((r) => r.name).join(', '), errors, false);
  const seen = new Set<string>();
  for (const entry of parsed) {
    for (const id of entry.bpmn?.map((m) => `process:${m.bpmnProcessId}`) ?? (entry.form ? [`form:${entry.form.id}`] : [])) {
      if (seen.has(id)) throw new InvalidResourceError(entry.resource.name, [`Duplicated ${id.replace(':', " id '")}' in the deployment`]);
      seen.add(id);
    }
  }
  const deploymentKey = state.newKey();
  const result: DeploymentResult = { key: deploymentKey, tenantId, processes: [], forms: [], models: new Map() };
  for (const entry of parsed) {
    const sum = checksum(entry.text);
    for (const model of entry.bpmn ?? []) {
      const previous = latest(state.values('processes'), (p) => p.bpmnProcessId === model.bpmnProcessId, tenantId);
      if (previous && previous.checksum === sum && previous.resourceName === entry.resource.name) {
        result.processes.push(previous);
        continue;
      }
      const record: ProcessDefinitionRecord = {
        key: state.newKey(),
        bpmnProcessId: model.bpmnProcessId,
        // a deleted version is never handed out again
        version: Math.max(previous?.version ?? 0, highestDeletedVersion(state, 'process', model.bpmnProcessId, tenantId)) + 1,
        resourceName: entry.resource.name,
        checksum: sum,
        xml: entry.text,
        tenantId,
        deploymentKey,
      };
      state.put('processes', record.key, record);
      result.processes.push(record);
      result.models.set(record.key, model);
    }
    if (entry.form) {
      const formId = entry.form.id;
      const previous = latest(state.values('forms'), (f) => f.formId === formId, tenantId);
      if (previous && previous.checksum === sum) {
        result.forms.push(previous);
        continue;
      }
      const record: FormRecord = {
        key: state.newKey(),
        formId,
        version: Math.max(previous?.version ?? 0, highestDeletedVersion(state, 'form', formId, tenantId)) + 1,
        resourceName: entry.resource.name,
        checksum: sum,
        schema: entry.text,
        tenantId,
        deploymentKey,
      };
      state.put('forms', record.key, record);
      result.forms.push(record);
    }
  }
  return result;
}
