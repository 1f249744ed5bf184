/**
 * `createDeployment`: POST /deployments, a `multipart/form-data` body with one or more files in
 * `resources` and an optional `tenantId` field (Orchestration Cluster API 8.8). It deploys on the
 * engine command the gRPC gateway's DeployResource uses and answers `DeploymentResult`: the
 * deployment key and, per resource, a `processDefinition` or a `form`. The whole body is read
 * with a limit of 4 MB, Camunda's default for this endpoint.
 */
import type { Request } from 'express';
import { tenantOf, type Engine } from '../engine';
import { CommandRejection } from '../interpreter/rejection';
import type { Resource } from '../model/deploy-resources';
import { httpProblem } from './problem';
import type { Route } from './routes';

/** Camunda's default `spring.servlet.multipart.max-request-size`. */
export const maxDeploymentBytes = 4 * 1024 * 1024;

async function readBody(request: Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw httpProblem(413, `Failed to read request: the body is larger than ${Math.floor(limit / 1024 / 1024)}mb.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads the multipart body: its files (in order) and its `tenantId` field. */
async function readDeployment(request: Request): Promise<{ resources: Resource[]; tenantId?: string }> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw httpProblem(415, `Content-Type '${contentType || 'none'}' is not supported; use 'multipart/form-data'.`);
  }
  const body = await readBody(request, maxDeploymentBytes);
  let form: FormData;
  try {
    // the platform's multipart parser (undici), as fetch uses it
    form = await new Response(Uint8Array.from(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw httpProblem(400, 'Failed to read request: the body is not valid multipart/form-data.');
  }
  const resources: Resource[] = [];
  for (const entry of form.getAll('resources')) {
    if (typeof entry === 'string') continue;
    resources.push({ name: entry.name, content: Buffer.from(await entry.arrayBuffer()) });
  }
  const tenantId = form.get('tenantId');
  return { resources, tenantId: typeof tenantId === 'string' ? tenantId : undefined };
}

/** The deployment route. */
export function deploymentRoutes(engine: Engine): Route[] {
  return [
    [
      'post',
      '/deployments',
      async (request, response) => {
        const { resources, tenantId: requested } = await readDeployment(request);
        // Zeebe's words (DeploymentCreateProcessor) for a deployment without resources
        if (resources.length === 0) throw new CommandRejection('INVALID_ARGUMENT', 'Expected to deploy at least one resource, but none given');
        const tenantId = tenantOf(requested);
        const result = await engine.deploy(resources, tenantId);
        await engine.flush();
        response.json({
          deploymentKey: String(result.key),
          tenantId,
          deployments: [
            ...result.processes.map((p) => ({
              processDefinition: { processDefinitionId: p.bpmnProcessId, processDefinitionVersion: p.version, resourceName: p.resourceName, tenantId: p.tenantId, processDefinitionKey: String(p.key) },
            })),
            ...result.forms.map((f) => ({ form: { formId: f.formId, version: f.version, resourceName: f.resourceName, tenantId: f.tenantId, formKey: String(f.key) } })),
          ],
        });
      },
    ],
  ];
}
