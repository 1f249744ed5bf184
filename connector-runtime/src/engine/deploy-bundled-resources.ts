/**
 * Deploys the pack's own process model and forms (`bpmn/*.bpmn`, `forms/*.form`) in one
 * deployment, so a user task's formId resolves within it. Zeebe keeps a resource that did not
 * change at its version, so every start may deploy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ZeebeClient } from './camunda-connection';

// The SDK types the deployment list as unknown: read only what we report, and check it.
const deploymentItem = z.object({
  process: z.object({ bpmnProcessId: z.string(), version: z.number(), processDefinitionKey: z.union([z.string(), z.number()]) }).optional(),
  form: z.object({ formId: z.string(), version: z.number() }).optional(),
});

/** The repository folders the bundled resources come from. */
export const bundledResourceFolders = {
  bpmn: fileURLToPath(new URL('../../../bpmn', import.meta.url)),
  forms: fileURLToPath(new URL('../../../forms', import.meta.url)),
};

/** What was deployed: process ids with their versions, form ids with theirs. */
export interface BundledDeployment {
  processes: { bpmnProcessId: string; version: number; processDefinitionKey: string }[];
  forms: { formId: string; version: number }[];
}

function filesIn(folder: string, extension: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => join(folder, name));
}

/** Deploys every bundled model and form; throws (and deploys nothing) when the gateway rejects any. */
export async function deployBundledResources(zeebe: ZeebeClient, folders = bundledResourceFolders): Promise<BundledDeployment> {
  const processes = filesIn(folders.bpmn, '.bpmn').map((path) => ({ name: basename(path), process: readFileSync(path) }));
  const forms = filesIn(folders.forms, '.form').map((path) => ({ name: basename(path), form: readFileSync(path) }));
  if (processes.length === 0) throw new Error(`No .bpmn file in ${folders.bpmn}`);
  const response = await zeebe.deployResources([...forms, ...processes]);
  const deployed: BundledDeployment = { processes: [], forms: [] };
  for (const item of z.array(deploymentItem).parse(response.deployments)) {
    if (item.process) {
      const { bpmnProcessId, version, processDefinitionKey } = item.process;
      deployed.processes.push({ bpmnProcessId, version, processDefinitionKey: String(processDefinitionKey) });
    }
    if (item.form) deployed.forms.push({ formId: item.form.formId, version: item.form.version });
  }
  return deployed;
}
