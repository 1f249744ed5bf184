/**
 * Routes of the REST v2 subset. Search endpoints take `{ filter, page, sort }` and answer
 * `{ items, page: { totalItems } }`; filter values may be plain values or `{ $eq | $in | $neq }`
 * operators, as the Orchestration Cluster API accepts. Errors are RFC 9457 problem documents.
 */
import { Router, type Request, type Response } from 'express';
import { type Engine } from '../engine';
import { CommandRejection } from '../interpreter/rejection';
import type { ElementInstanceRecord, IncidentRecord, UserTaskRecord } from '../state/records';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

type Item = Record<string, unknown>;

function matches(item: Item, filter: Record<string, unknown> | undefined): boolean {
  if (!filter) return true;
  for (const [field, condition] of Object.entries(filter)) {
    if (condition === undefined || condition === null) continue;
    const actual = item[field];
    const equal = (expected: unknown) => (Array.isArray(actual) ? actual.map(String).includes(String(expected)) : String(actual) === String(expected));
    if (typeof condition === 'object' && !Array.isArray(condition)) {
      const ops = condition as Record<string, unknown>;
      if ('$eq' in ops && !equal(ops.$eq)) return false;
      if ('$neq' in ops && equal(ops.$neq)) return false;
      if ('$in' in ops && !(ops.$in as unknown[]).some(equal)) return false;
      if ('$exists' in ops && (actual !== undefined) !== ops.$exists) return false;
      continue;
    }
    if (!equal(condition)) return false;
  }
  return true;
}

function search(request: Request, response: Response, all: Item[], aliases: Record<string, string> = {}): void {
  const body = (request.body ?? {}) as { filter?: Record<string, unknown>; page?: { from?: number; limit?: number }; sort?: Array<{ field: string; order?: string }> };
  const filter: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body.filter ?? {})) filter[aliases[k] ?? k] = v;
  let items = all.filter((item) => matches(item, filter));
  for (const sort of [...(body.sort ?? [])].reverse()) {
    const direction = sort.order?.toLowerCase() === 'desc' ? -1 : 1;
    items = [...items].sort((a, b) => (String(a[sort.field] ?? '') < String(b[sort.field] ?? '') ? -direction : String(a[sort.field] ?? '') > String(b[sort.field] ?? '') ? direction : 0));
  }
  const from = body.page?.from ?? 0;
  const limit = body.page?.limit ?? 100;
  response.json({ items: items.slice(from, from + limit), page: { totalItems: items.length, startCursor: null, endCursor: null } });
}

function problem(response: Response, status: number, title: string, detail: string): void {
  response.status(status).type('application/problem+json').json({ type: 'about:blank', title, status, detail, instance: response.req.originalUrl });
}

function handle(fn: (request: Request, response: Response) => Promise<void> | void) {
  return async (request: Request, response: Response) => {
    try {
      await fn(request, response);
    } catch (error) {
      if (error instanceof CommandRejection) {
        const status = { NOT_FOUND: 404, INVALID_STATE: 409, INVALID_ARGUMENT: 400, ALREADY_EXISTS: 409, PROCESSING_ERROR: 500 }[error.type];
        problem(response, status, error.type, error.message);
        return;
      }
      problem(response, 500, 'INTERNAL_ERROR', (error as Error).message);
    }
  };
}

function keyParam(request: Request, name: string): number {
  const key = Number(request.params[name]);
  if (!Number.isSafeInteger(key) || key <= 0) throw new CommandRejection('INVALID_ARGUMENT', `'${String(request.params[name])}' is not a valid key`);
  return key;
}

/** The router of the REST v2 subset, mounted at `/v2`. */
export function restRouter(engine: Engine): Router {
  const router = Router();
  const state = engine.state;


  const userTaskView = (task: UserTaskRecord): Item => ({
    userTaskKey: String(task.key),
    name: task.name ?? task.elementId,
    state: task.state,
    assignee: task.assignee,
    elementId: task.elementId,
    elementInstanceKey: String(task.elementInstanceKey),
    candidateGroups: task.candidateGroups,
    candidateUsers: task.candidateUsers,
    processDefinitionId: task.bpmnProcessId,
    processDefinitionKey: String(task.processDefinitionKey),
    processDefinitionVersion: task.processDefinitionVersion,
    processInstanceKey: String(task.processInstanceKey),
    formKey: task.formKey === undefined ? undefined : String(task.formKey),
    externalFormReference: task.externalFormReference,
    creationDate: iso(task.creationDate),
    completionDate: iso(task.completionDate),
    dueDate: task.dueDate,
    followUpDate: task.followUpDate,
    customHeaders: task.customHeaders,
    priority: task.priority,
    tenantId: task.tenantId,
  });

  const stateOf = (e: ElementInstanceRecord) => (e.state === 'COMPLETED' ? 'COMPLETED' : e.state === 'TERMINATED' ? 'TERMINATED' : 'ACTIVE');

  const processInstanceView = (e: ElementInstanceRecord): Item => {
    const definition = state.get('processes', e.processDefinitionKey);
    const model = engine.interpreter.models.get(e.processDefinitionKey);
    return {
      processInstanceKey: String(e.key),
      processDefinitionId: e.bpmnProcessId,
      processDefinitionName: model?.name ?? e.bpmnProcessId,
      processDefinitionVersion: definition?.version,
      processDefinitionKey: String(e.processDefinitionKey),
      parentProcessInstanceKey: e.parentProcessInstanceKey === undefined ? undefined : String(e.parentProcessInstanceKey),
      parentElementInstanceKey: e.parentElementInstanceKey === undefined ? undefined : String(e.parentElementInstanceKey),
      startDate: iso(e.startDate),
      endDate: iso(e.endDate),
      state: stateOf(e),
      hasIncident: [...state.values('incidents')].some((i) => i.state === 'ACTIVE' && i.processInstanceKey === e.key),
      tenantId: e.tenantId,
    };
  };

  const elementInstanceView = (e: ElementInstanceRecord): Item => {
    const model = engine.interpreter.models.get(e.processDefinitionKey);
    const incident = [...state.values('incidents')].find((i) => i.state === 'ACTIVE' && i.elementInstanceKey === e.key);
    return {
      elementInstanceKey: String(e.key),
      processInstanceKey: String(e.processInstanceKey),
      processDefinitionKey: String(e.processDefinitionKey),
      processDefinitionId: e.bpmnProcessId,
      elementId: e.elementId,
      elementName: model?.elements[e.elementId]?.name ?? e.elementId,
      type: e.bpmnElementType,
      state: stateOf(e),
      hasIncident: incident !== undefined,
      incidentKey: incident ? String(incident.key) : undefined,
      startDate: iso(e.startDate),
      endDate: iso(e.endDate),
      tenantId: e.tenantId,
    };
  };

  const incidentView = (i: IncidentRecord): Item => ({
    incidentKey: String(i.key),
    processDefinitionKey: String(i.processDefinitionKey),
    processDefinitionId: i.bpmnProcessId,
    processInstanceKey: String(i.processInstanceKey),
    errorType: i.errorType,
    errorMessage: i.errorMessage,
    elementId: i.elementId,
    elementInstanceKey: String(i.elementInstanceKey),
    creationTime: iso(i.created),
    state: i.state,
    jobKey: i.jobKey === undefined ? undefined : String(i.jobKey),
    tenantId: i.tenantId,
  });

  const variableViews = (): Item[] => {
    const items: Item[] = [];
    for (const element of state.values('elements')) {
      const variables = state.get('variables', element.key);
      if (!variables) continue;
      for (const [name, value] of Object.entries(variables)) {
        items.push({
          variableKey: `${element.key}${String(Object.keys(variables).indexOf(name)).padStart(3, '0')}`,
          name,
          value: JSON.stringify(value),
          isTruncated: false,
          scopeKey: String(element.key),
          processInstanceKey: String(element.processInstanceKey),
          tenantId: element.tenantId,
        });
      }
    }
    return items;
  };

  const userTask = (key: number) => {
    const task = state.get('userTasks', key);
    if (!task) throw new CommandRejection('NOT_FOUND', `User task with key '${key}' not found`);
    return task;
  };

  router.post(
    '/user-tasks/search',
    handle((request, response) => search(request, response, [...state.values('userTasks')].map(userTaskView), { processDefinitionKey: 'processDefinitionKey', candidateGroup: 'candidateGroups', candidateUser: 'candidateUsers', bpmnProcessId: 'processDefinitionId' })),
  );
  router.get(
    '/user-tasks/:key',
    handle((request, response) => {
      response.json(userTaskView(userTask(keyParam(request, 'key'))));
    }),
  );
  router.get(
    '/user-tasks/:key/form',
    handle((request, response) => {
      const task = userTask(keyParam(request, 'key'));
      const form = task.formKey === undefined ? undefined : state.get('forms', task.formKey);
      if (!form) {
        response.status(204).end();
        return;
      }
      response.json({ formKey: String(form.key), formId: form.formId, version: form.version, schema: form.schema, tenantId: form.tenantId });
    }),
  );
  router.post(
    '/user-tasks/:key/assignment',
    handle(async (request, response) => {
      const body = (request.body ?? {}) as { assignee?: string; allowOverride?: boolean };
      if (!body.assignee) throw new CommandRejection('INVALID_ARGUMENT', 'No assignee provided');
      engine.assignUserTask(keyParam(request, 'key'), body.assignee, body.allowOverride !== false);
      await engine.flush();
      response.status(204).end();
    }),
  );
  router.delete(
    '/user-tasks/:key/assignee',
    handle(async (request, response) => {
      engine.assignUserTask(keyParam(request, 'key'), undefined);
      await engine.flush();
      response.status(204).end();
    }),
  );
  router.post(
    '/user-tasks/:key/completion',
    handle(async (request, response) => {
      const body = (request.body ?? {}) as { variables?: Record<string, unknown> | null };
      const variables = body.variables ?? {};
      if (typeof variables !== 'object' || Array.isArray(variables)) throw new CommandRejection('INVALID_ARGUMENT', 'variables must be an object');
      engine.completeUserTask(keyParam(request, 'key'), variables);
      await engine.flush();
      response.status(204).end();
    }),
  );
  router.post(
    '/user-tasks/:key/variables/search',
    handle((request, response) => {
      const task = userTask(keyParam(request, 'key'));
      const visible = engine.interpreter.variables.visible(task.elementInstanceKey);
      const items = Object.entries(visible).map(([name, value]) => ({
        name,
        value: JSON.stringify(value),
        isTruncated: false,
        scopeKey: String(task.elementInstanceKey),
        processInstanceKey: String(task.processInstanceKey),
        tenantId: task.tenantId,
      }));
      search(request, response, items);
    }),
  );
  router.get(
    '/process-instances/:key',
    handle((request, response) => {
      const key = keyParam(request, 'key');
      const instance = state.get('elements', key);
      if (!instance || instance.flowScopeKey !== undefined) throw new CommandRejection('NOT_FOUND', `Process instance with key '${key}' not found`);
      response.json(processInstanceView(instance));
    }),
  );
  router.post(
    '/process-instances/search',
    handle((request, response) =>
      search(
        request,
        response,
        [...state.values('elements')].filter((e) => e.flowScopeKey === undefined).map(processInstanceView),
      ),
    ),
  );
  router.post(
    '/element-instances/search',
    handle((request, response) =>
      search(
        request,
        response,
        [...state.values('elements')].filter((e) => e.flowScopeKey !== undefined).map(elementInstanceView),
      ),
    ),
  );
  router.get(
    '/element-instances/:key',
    handle((request, response) => {
      const key = keyParam(request, 'key');
      const instance = state.get('elements', key);
      if (!instance || instance.flowScopeKey === undefined) throw new CommandRejection('NOT_FOUND', `Element instance with key '${key}' not found`);
      response.json(elementInstanceView(instance));
    }),
  );
  router.post(
    '/incidents/search',
    handle((request, response) => search(request, response, [...state.values('incidents')].map(incidentView))),
  );
  router.post(
    '/incidents/:key/resolution',
    handle(async (request, response) => {
      engine.resolveIncident(keyParam(request, 'key'));
      await engine.flush();
      response.status(204).end();
    }),
  );
  router.post(
    '/variables/search',
    handle((request, response) => search(request, response, variableViews())),
  );
  router.get(
    '/topology',
    handle((_request, response) => {
      response.json({ brokers: [{ nodeId: 0, host: '127.0.0.1', port: 26501, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version: '8.8.0' }], clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: '8.8.0' });
    }),
  );
  return router;
}
