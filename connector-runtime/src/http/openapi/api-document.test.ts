import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { apiRoutes, buildOpenApiDocument, errorStatusesOf } from './api-document';

type Json = Record<string, unknown>;

const document = buildOpenApiDocument() as Json & { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };

/** The object a local `$ref` (`#/a/b`) points at, or undefined. */
function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), document);
}

const deref = (node: Json): Json => (typeof node['$ref'] === 'string' ? (resolve(node['$ref']) as Json) : node);

function allRefs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => allRefs(item, into));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value);
      else allRefs(value, into);
    }
  }
  return into;
}

describe('the OpenAPI document', () => {
  it('given the route table, when the document is built, then it is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document['openapi']).toBe('3.1.0');
  });

  it('given every route of the table, then the document has its path and method', () => {
    for (const route of apiRoutes) expect(document.paths[route.path]?.[route.method], `${route.method} ${route.path}`).toBeDefined();
    const documented = Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0);
    expect(documented).toBe(apiRoutes.length);
  });

  it('given a route with a body, then its schema and each of its fields is a real schema, never {}', () => {
    const withBody = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).filter(([, operation]) => operation['requestBody']).map(([method, operation]) => ({ at: `${method} ${path}`, operation })),
    );
    expect(withBody.length).toBeGreaterThanOrEqual(apiRoutes.filter((route) => route.body).length);
    for (const { at, operation } of withBody) {
      const content = (operation['requestBody'] as { content: Record<string, { schema: Json }> }).content;
      const schema = deref(content['application/json']!.schema);
      expect(schema, at).toBeDefined();
      expect(Object.keys(schema).length, at).toBeGreaterThan(0);
      expect(schema['type'], at).toBe('object');
      for (const [field, fieldSchema] of Object.entries((schema['properties'] ?? {}) as Record<string, Json>)) {
        expect(Object.keys(deref(fieldSchema)).length, `${at} body.${field}`).toBeGreaterThan(0);
      }
    }
  });

  it('given the internal routes, then their bodies hold the job contract’s variables and their answers its output', () => {
    const body = deref(
      (document.paths['/internal/workflows/orders/{orderId}/execute-task']!['post']!['requestBody'] as { content: Record<string, { schema: Json }> }).content['application/json']!.schema,
    );
    const variables = (body['properties'] as Record<string, Json>)['variables']!;
    expect(Object.keys(variables['properties'] as Json)).toEqual(expect.arrayContaining(['orderId', 'fulfillmentPlanId', 'currentTaskId']));
    // The tenant is the caller's, so the variables need not name it.
    expect(variables['required']).not.toContain('tenantId');
    expect(JSON.stringify(variables)).not.toContain('"template"');
  });

  it('given every command, then it takes an Idempotency-Key and answers 400, 409 and 422 as problems', () => {
    const commands = apiRoutes.filter((route) => route.method === 'post' && route.roles);
    expect(commands.length).toBeGreaterThan(10);
    for (const route of commands) {
      const operation = document.paths[route.path]![route.method]!;
      expect(operation['parameters'], route.operationId).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
      for (const status of ['400', '409', '422']) expect(operation['responses'], route.operationId).toHaveProperty(status);
    }
  });

  it('given a route that needs a role, then it is secured by the bearer scheme and answers 401 and 403; a public one needs no token', () => {
    for (const route of apiRoutes) {
      const operation = document.paths[route.path]![route.method]!;
      if (route.roles) {
        expect(operation['security'], route.operationId).toBeUndefined();
        expect(errorStatusesOf(route)).toEqual(expect.arrayContaining([401, 403]));
      } else {
        expect(operation['security'], route.operationId).toEqual([]);
      }
    }
    expect(document['security']).toEqual([{ bearerAuth: [] }]);
  });

  it('given the access table, then the document shows the roles it enforces', () => {
    const rolesOf = (operationId: string) => apiRoutes.find((route) => route.operationId === operationId)?.roles;
    expect(rolesOf('createOrder')).toEqual(['operator', 'integration']);
    expect(rolesOf('decideFulfillmentTask')).toEqual(['technician', 'operator']);
    expect(rolesOf('cancelOrder')).toEqual(['operator']);
    expect(rolesOf('internalExecuteTask')).toEqual(['integration']);
    expect(rolesOf('getOrder')).toEqual(['viewer', 'operator', 'technician', 'integration']);
    expect(rolesOf('receivePartnerCallback')).toBeUndefined();
    expect(document.paths['/api/v1/orders/{orderId}/cancel']!['post']!['x-roles']).toEqual(['operator']);
  });

  it('given an error answer, then it is application/problem+json with the RFC 9457 Problem schema', () => {
    const problem = document.components.schemas['Problem']!;
    expect(Object.keys(problem['properties'] as Json)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId', 'errors']);
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        for (const [status, response] of Object.entries(operation['responses'] as Record<string, Json>)) {
          if (Number(status) < 400 || Number(status) === 503) continue;
          expect(deref(response)['content']).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
        }
      }
    }
  });

  it('given the order read, then its answer carries the ETag; the intake answers Location and ETag', () => {
    expect(Object.keys((document.paths['/api/v1/orders/{orderId}']!['get']!['responses'] as Record<string, Json>)['200']!['headers'] as Json)).toEqual(['ETag']);
    expect(Object.keys((document.paths['/api/v1/orders']!['post']!['responses'] as Record<string, Json>)['201']!['headers'] as Json)).toEqual(
      expect.arrayContaining(['Location', 'ETag']),
    );
  });

  it('given every $ref, then it points inside the document (recursive schemas are hoisted, no $defs left)', () => {
    const refs = allRefs(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/'), ref).toBe(true);
      expect(resolve(ref), ref).toBeDefined();
    }
    expect(JSON.stringify(document)).not.toContain('$defs');
    expect(JSON.stringify(document)).not.toContain('"$schema"');
  });
});
