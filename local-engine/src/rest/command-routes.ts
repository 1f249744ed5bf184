/**
 * Commands over REST v2 besides jobs and deployments, on the engine commands the gRPC gateway
 * uses, so both protocols see one state (operation ids of the Orchestration Cluster API 8.8):
 *
 * - `createProcessInstance`   POST /process-instances (with `awaitCompletion`: answers when the
 *   instance completed, with its root variables (`fetchVariables` picks some), or 504
 *   `DEADLINE_EXCEEDED` after `requestTimeout`)
 * - `cancelProcessInstance`   POST /process-instances/{processInstanceKey}/cancellation
 * - `migrateProcessInstance`  POST /process-instances/{processInstanceKey}/migration (204;
 *   rules in interpreter/migration/)
 * - `modifyProcessInstance`   POST /process-instances/{processInstanceKey}/modification (204;
 *   rules in interpreter/modification/)
 * - `publishMessage`          POST /messages/publication (buffered for its TTL)
 * - `correlateMessage`        POST /messages/correlation (not buffered; 404 when nothing
 *   correlated, as Zeebe's MessageCorrelation CORRELATE is rejected)
 * - `broadcastSignal`         POST /signals/broadcast
 * - `createElementInstanceVariables`  PUT /element-instances/{elementInstanceKey}/variables
 * - `searchProcessDefinitions` POST /process-definitions/search, `getProcessDefinition`
 *   GET /process-definitions/{key}, `getProcessDefinitionXml` GET /process-definitions/{key}/xml
 * - `deleteResource`          POST /resources/{resourceKey}/deletion (a process definition or a
 *   form; 409 while the process definition has running instances)
 * - `pinClock` PUT /clock and `resetClock` POST /clock/reset, on the engine's injectable clock
 *
 * Each command answers once what it changed is durable.
 */
import { isPinnable } from '../clock';
import { tenantOf, type Engine } from '../engine';
import { CommandRejection } from '../interpreter/rejection';
import { latestProcessVersions } from '../model/deploy-resources';
import type { ElementInstanceRecord, ProcessDefinitionRecord } from '../state/records';
import { parseClockPin, parseCorrelation, parseCreationRequest, parsePathKey, parsePublication, parseSetVariables, parseSignal } from './command-bodies';
import { HttpProblem } from './problem';
import { parseMigration } from './migration-body';
import { parseModification } from './modification-body';
import { parseSearchRequest } from './request-bodies';
import type { Route } from './routes';
import { search, type Item } from './search';

/** How long `awaitCompletion` waits when the request names no timeout. */
export const defaultRequestTimeoutMs = 10_000;

/** Camunda's answer when a request outlives its timeout (RestErrorMapper, TimeoutException). */
const timedOut = () => new HttpProblem(504, 'DEADLINE_EXCEEDED', 'Expected to handle request, but request timed out between gateway and broker');

/** The command routes. */
export function commandRoutes(engine: Engine): Route[] {
  const state = engine.state;

  /** Applies a command and resolves with its result once it is durable (after the job dispatcher's microtask, as the gRPC gateway does). */
  const applied = async <T>(command: () => T): Promise<T> => {
    const result = command();
    await Promise.resolve();
    await engine.flush();
    return result;
  };

  const creationResult = (definition: ProcessDefinitionRecord, root: ElementInstanceRecord, variables: Record<string, unknown>) => ({
    processDefinitionId: definition.bpmnProcessId,
    processDefinitionVersion: definition.version,
    tenantId: definition.tenantId,
    variables,
    processDefinitionKey: String(definition.key),
    processInstanceKey: String(root.key),
  });

  /** Waits for the instance to end; resolves with its root variables, or rejects when it was terminated or the wait timed out. */
  const completion = (root: ElementInstanceRecord, requestTimeout: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (root.state === 'COMPLETED' || root.state === 'TERMINATED') {
        if (root.state === 'COMPLETED') resolve(engine.rootVariables(root.key));
        else reject(new CommandRejection('INVALID_STATE', `Process instance '${root.key}' was terminated before it completed`));
        return;
      }
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(timedOut());
      }, requestTimeout || defaultRequestTimeoutMs);
      engine.onProcessInstanceEnded(root.key, (instance) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        // read the variables now: the instance's history may be forgotten later
        if (instance.state === 'COMPLETED') resolve(engine.rootVariables(root.key));
        else reject(new CommandRejection('INVALID_STATE', `Process instance '${root.key}' was terminated before it completed`));
      });
    });

  const processDefinitionView = (definition: ProcessDefinitionRecord): Item => ({
    name: engine.interpreter.models.get(definition.key)?.name,
    resourceName: definition.resourceName,
    version: definition.version,
    processDefinitionId: definition.bpmnProcessId,
    tenantId: definition.tenantId,
    processDefinitionKey: String(definition.key),
    // start forms (zeebe:formDefinition on a start event) are not modelled by the local engine
    hasStartForm: false,
  });

  const processDefinition = (key: number) => {
    const definition = state.get('processes', key);
    if (!definition) throw new CommandRejection('NOT_FOUND', `Process definition with key '${key}' not found`);
    return definition;
  };

  return [
    [
      'post',
      '/process-instances',
      async (request, response) => {
        const body = parseCreationRequest(request.body);
        const tenantId = tenantOf(body.tenantId);
        const { definition, root, ended } = await applied(() => {
          const definition = engine.findDefinition(body.processDefinitionKey !== undefined ? { processDefinitionKey: body.processDefinitionKey, tenantId } : { bpmnProcessId: body.processDefinitionId, version: body.version, tenantId });
          const root = engine.createProcessInstance(definition, body.variables, body.startElementIds);
          // listen before anything else runs: a worker may complete the instance while this
          // command is being written
          const ended = body.awaitCompletion ? completion(root, body.requestTimeout) : undefined;
          ended?.catch(() => undefined);
          return { definition, root, ended };
        });
        if (!ended) {
          response.json(creationResult(definition, root, {}));
          return;
        }
        const variables = await ended;
        // the instance ends in the middle of a command (the completion of its last job): a
        // microtask later that command has finished, so the commit holds all of it
        await Promise.resolve();
        await engine.flush();
        const selected = body.fetchVariables.length === 0 ? variables : Object.fromEntries(Object.entries(variables).filter(([name]) => body.fetchVariables.includes(name)));
        response.json(creationResult(definition, root, selected));
      },
    ],
    [
      'post',
      '/process-instances/:processInstanceKey/cancellation',
      async (request, response) => {
        const key = parsePathKey(request.params.processInstanceKey, 'processInstanceKey');
        await applied(() => engine.cancelProcessInstance(key));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/process-instances/:processInstanceKey/migration',
      async (request, response) => {
        const processInstanceKey = parsePathKey(request.params.processInstanceKey, 'processInstanceKey');
        const body = parseMigration(request.body);
        await applied(() => engine.migrateProcessInstance({ processInstanceKey, ...body }));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/process-instances/:processInstanceKey/modification',
      async (request, response) => {
        const modification = parseModification(parsePathKey(request.params.processInstanceKey, 'processInstanceKey'), request.body);
        await applied(() => engine.modifyProcessInstance(modification));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/messages/publication',
      async (request, response) => {
        const body = parsePublication(request.body);
        const tenantId = tenantOf(body.tenantId);
        const message = await applied(() => engine.publishMessage({ ...body, tenantId }));
        response.json({ tenantId, messageKey: String(message.key) });
      },
    ],
    [
      'post',
      '/messages/correlation',
      async (request, response) => {
        const body = parseCorrelation(request.body);
        const tenantId = tenantOf(body.tenantId);
        const result = await applied(() => {
          // The first process instance it correlates with: an open subscription's (the engine
          // triggers them in this order), else the instance a message start event creates.
          const subscription = [...state.values('subscriptions')].find((s) => !s.signal && s.messageName === body.name && s.correlationKey === body.correlationKey && s.tenantId === tenantId);
          const message = engine.publishMessage({ name: body.name, correlationKey: body.correlationKey, timeToLive: 0, messageId: '', variables: body.variables, tenantId });
          if (message.correlatedProcesses.length === 0) {
            throw new CommandRejection('NOT_FOUND', `Expected to find subscription for message with name '${body.name}' and correlation key '${body.correlationKey}', but none was found.`);
          }
          let processInstanceKey = subscription?.processInstanceKey;
          if (processInstanceKey === undefined) {
            // keys grow: the started instance's key is above the message's
            const started = [...state.values('elements')].filter((e) => e.flowScopeKey === undefined && e.key > message.key && e.bpmnProcessId === message.correlatedProcesses[0]);
            processInstanceKey = started.reduce<number | undefined>((first, e) => (first === undefined || e.key < first ? e.key : first), undefined);
          }
          return { message, processInstanceKey };
        });
        response.json({ tenantId, messageKey: String(result.message.key), processInstanceKey: result.processInstanceKey === undefined ? undefined : String(result.processInstanceKey) });
      },
    ],
    [
      'post',
      '/signals/broadcast',
      async (request, response) => {
        const body = parseSignal(request.body);
        const tenantId = tenantOf(body.tenantId);
        const key = await applied(() => engine.broadcastSignal({ name: body.name, variables: body.variables, tenantId }));
        response.json({ tenantId, signalKey: String(key) });
      },
    ],
    [
      'put',
      '/element-instances/:elementInstanceKey/variables',
      async (request, response) => {
        const body = parseSetVariables(request.body);
        const key = parsePathKey(request.params.elementInstanceKey, 'elementInstanceKey');
        await applied(() => engine.setVariables(key, body.variables, body.local));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/process-definitions/search',
      (request, response) => {
        const query = parseSearchRequest(request.body);
        // `isLatestVersion` is a condition on the set, not a property of one definition
        const { isLatestVersion, ...filter } = query.filter;
        let definitions = [...state.values('processes')];
        if (isLatestVersion === true) {
          const tenants = new Set(definitions.map((d) => d.tenantId));
          definitions = [...tenants].flatMap((tenant) => latestProcessVersions(state, tenant));
        }
        response.json(search(definitions.map(processDefinitionView), { ...query, filter }));
      },
    ],
    [
      'get',
      '/process-definitions/:processDefinitionKey',
      (request, response) => {
        response.json(processDefinitionView(processDefinition(parsePathKey(request.params.processDefinitionKey, 'processDefinitionKey'))));
      },
    ],
    [
      'get',
      '/process-definitions/:processDefinitionKey/xml',
      (request, response) => {
        const definition = processDefinition(parsePathKey(request.params.processDefinitionKey, 'processDefinitionKey'));
        response.type('text/xml').send(definition.xml);
      },
    ],
    [
      'post',
      '/resources/:resourceKey/deletion',
      async (request, response) => {
        const key = parsePathKey(request.params.resourceKey, 'resourceKey');
        await applied(() => engine.deleteResource(key));
        response.status(200).end();
      },
    ],
    [
      'put',
      '/clock',
      async (request, response) => {
        const timestamp = parseClockPin(request.body);
        const clock = engine.clock;
        if (!isPinnable(clock)) throw new CommandRejection('INVALID_STATE', 'Expected to pin the clock, but the engine runs on a clock that cannot be pinned');
        await applied(() => clock.pin(timestamp));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/clock/reset',
      async (_request, response) => {
        const clock = engine.clock;
        if (!isPinnable(clock)) throw new CommandRejection('INVALID_STATE', 'Expected to reset the clock, but the engine runs on a clock that cannot be reset');
        await applied(() => clock.reset());
        response.status(204).end();
      },
    ],
  ];
}
