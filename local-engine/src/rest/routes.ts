/**
 * Routes of the REST v2 subset, one table: method, path, handler. Search endpoints take
 * `{ filter, page, sort }` (validated in `request-bodies.ts`) and answer
 * `{ items, page: { totalItems } }`. Errors are thrown and answered as RFC 9457 problem documents
 * by `problem.ts`; a known path asked with another method answers 405 with an `Allow` header.
 */
import { Router, type Request, type Response } from 'express';
import { type Engine } from '../engine';
import { CommandRejection } from '../interpreter/rejection';
import type { ElementInstanceRecord, IncidentRecord, UserTaskRecord } from '../state/records';
import { httpProblem } from './problem';
import { parseAssignmentRequest, parseCompletionRequest, parseSearchRequest } from './request-bodies';
import { search, type Item } from './search';
import { parseVariableKey, variableResult, variableSearchItems } from './variable-view';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One endpoint: express path, method and handler (errors are thrown, not answered). */
export type Route = [Method, string, (request: Request, response: Response) => Promise<void> | void];

function keyParam(request: Request, name: string): number {
  const key = Number(request.params[name]);
  if (!Number.isSafeInteger(key) || key <= 0) throw new CommandRejection('INVALID_ARGUMENT', `'${String(request.params[name])}' is not a valid key`);
  return key;
}

/** Answers a search endpoint: validates the body, then filters, sorts and pages `items()`. */
function searchOver(items: (request: Request) => Item[], aliases: Record<string, string> = {}) {
  return (request: Request, response: Response) => {
    const query = parseSearchRequest(request.body);
    response.json(search(items(request), query, aliases));
  };
}

/**
 * Mounts the routes; per path, every other method answers 405 with the path's `Allow` header
 * (HEAD is allowed wherever GET is, as express answers it). Literal paths go first, so
 * `GET /user-tasks/search` is the search asked with the wrong method, not a task keyed "search".
 */
function mount(routes: Route[]): Router {
  const router = Router();
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route[1], [...(byPath.get(route[1]) ?? []), route]);
  const params = (path: string) => path.split('/').filter((segment) => segment.startsWith(':')).length;
  for (const [path, methods] of [...byPath].sort(([a], [b]) => params(a) - params(b))) {
    const route = router.route(path);
    for (const [method, , handler] of methods) route[method](handler);
    const allowed = methods.flatMap(([method]) => (method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()]));
    route.all((request) => {
      throw httpProblem(405, `Method '${request.method}' is not supported.`, { Allow: allowed.join(', ') });
    });
  }
  return router;
}

/** The router of the REST v2 subset, mounted at `/v2`, with the `commands` routes (command-routes.ts, job-routes.ts, deployment-routes.ts) mounted alongside. */
export function restRouter(engine: Engine, commands: Route[] = []): Router {
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
      // an ended instance of a deleted version keeps its version in the history, as Camunda's secondary storage does
      processDefinitionVersion: definition?.version ?? state.get('deletedResources', e.processDefinitionKey)?.version,
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

  /** Variables of every scope, live or ended (history), as Camunda's secondary storage keeps them. */
  const variableViews = (): Item[] => {
    const items: Item[] = [];
    for (const element of state.values('elements')) {
      const variables = state.get('variables', element.key);
      if (variables) items.push(...variableSearchItems({ scopeKey: element.key, processInstanceKey: element.processInstanceKey, tenantId: element.tenantId }, variables));
    }
    return items;
  };

  const variable = (request: Request): Item => {
    const text = String(request.params.variableKey);
    if (!/^\d+$/.test(text)) throw new CommandRejection('INVALID_ARGUMENT', `'${text}' is not a valid key`);
    const at = parseVariableKey(text);
    const scope = at && state.get('elements', at.scopeKey);
    const variables = scope && state.get('variables', scope.key);
    const found = variables && variableResult({ scopeKey: scope.key, processInstanceKey: scope.processInstanceKey, tenantId: scope.tenantId }, variables, at.index);
    if (!found) throw new CommandRejection('NOT_FOUND', `Variable with key '${text}' not found`);
    return found;
  };

  const userTask = (key: number) => {
    const task = state.get('userTasks', key);
    if (!task) throw new CommandRejection('NOT_FOUND', `User task with key '${key}' not found`);
    return task;
  };

  /**
   * As Camunda 8.8 (`UserTaskServices.searchUserTaskVariables`): the variables of every scope on the
   * task's element instance's tree path, each under its own scope; after the task ended as well.
   */
  const userTaskVariables = (request: Request): Item[] => {
    const task = userTask(keyParam(request, 'key'));
    const items: Item[] = [];
    for (const scopeKey of engine.interpreter.variables.chain(task.elementInstanceKey).reverse()) {
      const scope = state.get('elements', scopeKey);
      const variables = state.get('variables', scopeKey);
      if (scope && variables) items.push(...variableSearchItems({ scopeKey, processInstanceKey: scope.processInstanceKey, tenantId: scope.tenantId }, variables));
    }
    return items;
  };

  const routes: Route[] = [
    ['post', '/user-tasks/search', searchOver(() => [...state.values('userTasks')].map(userTaskView), { candidateGroup: 'candidateGroups', candidateUser: 'candidateUsers', bpmnProcessId: 'processDefinitionId' })],
    [
      'get',
      '/user-tasks/:key',
      (request, response) => {
        response.json(userTaskView(userTask(keyParam(request, 'key'))));
      },
    ],
    [
      'get',
      '/user-tasks/:key/form',
      (request, response) => {
        const task = userTask(keyParam(request, 'key'));
        const form = task.formKey === undefined ? undefined : state.get('forms', task.formKey);
        if (!form) {
          response.status(204).end();
          return;
        }
        response.json({ formKey: String(form.key), formId: form.formId, version: form.version, schema: form.schema, tenantId: form.tenantId });
      },
    ],
    [
      'post',
      '/user-tasks/:key/assignment',
      async (request, response) => {
        const { assignee, allowOverride } = parseAssignmentRequest(request.body);
        engine.assignUserTask(keyParam(request, 'key'), assignee, allowOverride);
        await engine.flush();
        response.status(204).end();
      },
    ],
    [
      'delete',
      '/user-tasks/:key/assignee',
      async (request, response) => {
        engine.assignUserTask(keyParam(request, 'key'), undefined);
        await engine.flush();
        response.status(204).end();
      },
    ],
    [
      'post',
      '/user-tasks/:key/completion',
      async (request, response) => {
        const variables = parseCompletionRequest(request.body);
        engine.completeUserTask(keyParam(request, 'key'), variables);
        await engine.flush();
        response.status(204).end();
      },
    ],
    [
      'post',
      '/user-tasks/:key/variables/search',
      (request, response) => {
        // Validate the body before looking the task up, as Camunda reads the body first.
        const query = parseSearchRequest(request.body);
        response.json(search(userTaskVariables(request), query));
      },
    ],
    [
      'get',
      '/process-instances/:key',
      (request, response) => {
        const key = keyParam(request, 'key');
        const instance = state.get('elements', key);
        if (!instance || instance.flowScopeKey !== undefined) throw new CommandRejection('NOT_FOUND', `Process instance with key '${key}' not found`);
        response.json(processInstanceView(instance));
      },
    ],
    ['post', '/process-instances/search', searchOver(() => [...state.values('elements')].filter((e) => e.flowScopeKey === undefined).map(processInstanceView))],
    ['post', '/element-instances/search', searchOver(() => [...state.values('elements')].filter((e) => e.flowScopeKey !== undefined).map(elementInstanceView))],
    [
      'get',
      '/element-instances/:key',
      (request, response) => {
        const key = keyParam(request, 'key');
        const instance = state.get('elements', key);
        if (!instance || instance.flowScopeKey === undefined) throw new CommandRejection('NOT_FOUND', `Element instance with key '${key}' not found`);
        response.json(elementInstanceView(instance));
      },
    ],
    ['post', '/incidents/search', searchOver(() => [...state.values('incidents')].map(incidentView))],
    [
      'post',
      '/incidents/:key/resolution',
      async (request, response) => {
        engine.resolveIncident(keyParam(request, 'key'));
        await engine.flush();
        response.status(204).end();
      },
    ],
    ['post', '/variables/search', searchOver(() => variableViews())],
    [
      'get',
      '/variables/:variableKey',
      (request, response) => {
        response.json(variable(request));
      },
    ],
    [
      'get',
      '/topology',
      (_request, response) => {
        response.json({ brokers: [{ nodeId: 0, host: '127.0.0.1', port: 26501, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version: '8.8.0' }], clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: '8.8.0' });
      },
    ],
  ];
  return mount([...routes, ...commands]);
}
