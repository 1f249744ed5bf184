/**
 * The Zeebe gateway protocol over gRPC, served from the SDK's own `zeebe.proto`, so the
 * unmodified `@camunda8/sdk` (or any Zeebe client) talks to the local engine. Each command is
 * applied to the engine, made durable, then answered.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tenantOf, type ActivatedJob } from '../engine';
import type { GatewayBackend } from './backend';
import { JobDispatcher } from './job-dispatcher';
import { parseModificationRequest } from './modification-request';
import { grpcError, parseKey, parseVariables, toGrpcError, toWireJob } from './wire';

const require = createRequire(import.meta.url);

/** Path of the gateway protocol definition shipped with `@camunda8/sdk`. */
export const zeebeProtoPath = path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist', 'proto', 'zeebe.proto');

/** Default long-poll duration when a request sets requestTimeout 0 (Zeebe gateway default: 10 s). */
const defaultLongPollMs = 10_000;

/** Version reported by Topology. */
export const engineVersion = '8.8.0';

type Call = grpc.ServerUnaryCall<Record<string, unknown>, unknown>;
type Callback = grpc.sendUnaryData<unknown>;
type Handler = (request: Record<string, unknown>, call: Call) => Promise<unknown>;

function loadGatewayService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(zeebeProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const proto = grpc.loadPackageDefinition(definition) as unknown as { gateway_protocol: { Gateway: { service: grpc.ServiceDefinition } } };
  return proto.gateway_protocol.Gateway.service;
}

/** A running gRPC gateway. */
export interface GrpcGateway {
  port: number;
  stop(): Promise<void>;
}

/** Builds the handlers of the gateway service for an engine. */
export function gatewayHandlers(engine: GatewayBackend, dispatcher: JobDispatcher, address: () => { host: string; port: number }): grpc.UntypedServiceImplementation {
  const unary = (handler: Handler) => (call: Call, callback: Callback) => {
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toGrpcError(error)),
    );
  };
  const applied = async <T>(command: () => T): Promise<T> => {
    const result = command();
    // Write after the job dispatcher (a microtask queued by the command) has activated the jobs
    // the command created, so their activation joins this commit instead of needing its own.
    await Promise.resolve();
    await engine.flush();
    return result;
  };

  return {
    Topology: unary(async () => {
      const { host, port } = address();
      return {
        brokers: [{ nodeId: 0, host, port, version: engineVersion, partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }] }],
        clusterSize: 1,
        partitionsCount: 1,
        replicationFactor: 1,
        gatewayVersion: engineVersion,
      };
    }),

    DeployResource: unary(async (request) => {
      const resources = (request.resources as Array<{ name: string; content: Buffer }>).map((r) => ({ name: r.name, content: Buffer.from(r.content) }));
      const tenantId = tenantOf(request.tenantId as string);
      const result = await engine.deploy(resources, tenantId);
      await engine.flush();
      return {
        key: String(result.key),
        tenantId,
        deployments: [
          ...result.processes.map((p) => ({
            process: { bpmnProcessId: p.bpmnProcessId, version: p.version, processDefinitionKey: String(p.key), resourceName: p.resourceName, tenantId: p.tenantId },
          })),
          ...result.forms.map((f) => ({ form: { formId: f.formId, version: f.version, formKey: String(f.key), resourceName: f.resourceName, tenantId: f.tenantId } })),
        ],
      };
    }),

    CreateProcessInstance: unary(async (request) => {
      const { definition, root } = await applied(() => createInstance(engine, request));
      return {
        processDefinitionKey: String(definition.key),
        bpmnProcessId: definition.bpmnProcessId,
        version: definition.version,
        processInstanceKey: String(root.key),
        tenantId: definition.tenantId,
      };
    }),

    CreateProcessInstanceWithResult: (call: Call, callback: Callback) => {
      const request = call.request;
      const inner = (request.request ?? {}) as Record<string, unknown>;
      const fetch = (request.fetchVariables as string[] | undefined) ?? [];
      const requestTimeout = Number(request.requestTimeout ?? 0) || defaultLongPollMs;
      let created: ReturnType<typeof createInstance>;
      try {
        created = createInstance(engine, inner);
      } catch (error) {
        callback(toGrpcError(error));
        return;
      }
      const { definition, root } = created;
      let done = false;
      const answer = (variables: Record<string, unknown>) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        const selected = fetch.length === 0 ? variables : Object.fromEntries(Object.entries(variables).filter(([k]) => fetch.includes(k)));
        const response = {
          processDefinitionKey: String(definition.key),
          bpmnProcessId: definition.bpmnProcessId,
          version: definition.version,
          processInstanceKey: String(root.key),
          variables: JSON.stringify(selected),
          tenantId: definition.tenantId,
        };
        // The instance ends in the middle of a command (e.g. the CompleteJob of its last task).
        // Flushing right here could write a part of that command and answer before the rest is
        // durable; a microtask later the command has finished, so the commit holds all of it.
        queueMicrotask(() => {
          engine.flush().then(
            () => callback(null, response),
            (error: unknown) => callback(toGrpcError(error)),
          );
        });
      };
      const timeout = setTimeout(() => {
        if (done) return;
        done = true;
        callback(grpcError(grpc.status.DEADLINE_EXCEEDED, `Time out between gateway and broker: Request timed out after PT${requestTimeout / 1000}S`));
      }, requestTimeout);
      if (root.state === 'COMPLETED') {
        answer(engine.rootVariables(root.key));
        return;
      }
      engine.onProcessInstanceEnded(root.key, (instance) => {
        if (instance.state === 'COMPLETED') answer(engine.rootVariables(root.key));
        else if (!done) {
          done = true;
          clearTimeout(timeout);
          callback(grpcError(grpc.status.FAILED_PRECONDITION, `Process instance '${root.key}' was terminated before it completed`));
        }
      });
      // after the job dispatcher's microtask, for the same reason as in `applied`
      queueMicrotask(() => void engine.flush().catch(() => undefined));
    },

    CancelProcessInstance: unary(async (request) => {
      await applied(() => engine.cancelProcessInstance(parseKey(request.processInstanceKey, 'processInstanceKey')));
      return {};
    }),

    DeleteResource: unary(async (request) => {
      await applied(() => engine.deleteResource(parseKey(request.resourceKey, 'resourceKey')));
      return {};
    }),

    MigrateProcessInstance: unary(async (request) => {
      const plan = (request.migrationPlan ?? {}) as { targetProcessDefinitionKey?: unknown; mappingInstructions?: Array<{ sourceElementId?: string; targetElementId?: string }> };
      const command = {
        processInstanceKey: parseKey(request.processInstanceKey, 'processInstanceKey'),
        targetProcessDefinitionKey: parseKey(plan.targetProcessDefinitionKey, 'targetProcessDefinitionKey'),
        mappingInstructions: (plan.mappingInstructions ?? []).map((i) => ({ sourceElementId: String(i.sourceElementId ?? ''), targetElementId: String(i.targetElementId ?? '') })),
      };
      await applied(() => engine.migrateProcessInstance(command));
      return {};
    }),

    ModifyProcessInstance: unary(async (request) => {
      const modification = parseModificationRequest(request);
      await applied(() => engine.modifyProcessInstance(modification));
      return {};
    }),

    ActivateJobs: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
      const request = call.request;
      let activation;
      try {
        activation = activationRequest(request, true);
      } catch (error) {
        call.emit('error', toGrpcError(error));
        return;
      }
      const send = (jobs: ActivatedJob[]) => {
        if (jobs.length > 0) call.write({ jobs: jobs.map(toWireJob) });
        call.end();
      };
      const jobs = engine.activateJobs(activation);
      const requestTimeout = Number(request.requestTimeout ?? 0);
      if (jobs.length > 0 || requestTimeout < 0) {
        engine.flush().then(
          () => send(jobs),
          (error: unknown) => call.emit('error', toGrpcError(error)),
        );
        return;
      }
      let finished = false;
      const remove = dispatcher.park({
        request: activation,
        resolve: (delivered) => {
          if (finished) {
            for (const job of delivered) engine.yieldJob(job.job.key);
            return;
          }
          finished = true;
          clearTimeout(timer);
          send(delivered);
        },
      });
      const timer = setTimeout(() => {
        if (finished) return;
        finished = true;
        remove();
        call.end();
      }, requestTimeout === 0 ? defaultLongPollMs : requestTimeout);
      call.on('cancelled', () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        remove();
      });
    },

    StreamActivatedJobs: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
      let activation;
      try {
        activation = activationRequest(call.request, false);
      } catch (error) {
        call.emit('error', toGrpcError(error));
        return;
      }
      let open = true;
      const remove = dispatcher.addStream({
        request: activation,
        push: (jobs) => {
          if (!open || call.cancelled) return false;
          for (const job of jobs) call.write(toWireJob(job));
          return true;
        },
      });
      const close = () => {
        open = false;
        remove();
      };
      call.on('cancelled', close);
      call.on('close', close);
      call.on('error', close);
    },

    CompleteJob: unary(async (request) => {
      await applied(() => engine.completeJob(parseKey(request.jobKey, 'jobKey'), parseVariables(request.variables)));
      return {};
    }),

    FailJob: unary(async (request) => {
      await applied(() =>
        engine.failJob(
          parseKey(request.jobKey, 'jobKey'),
          Number(request.retries ?? 0),
          String(request.errorMessage ?? ''),
          Number(request.retryBackOff ?? 0),
          parseVariables(request.variables),
        ),
      );
      return {};
    }),

    ThrowError: unary(async (request) => {
      const code = String(request.errorCode ?? '');
      if (!code) throw grpcError(grpc.status.INVALID_ARGUMENT, 'Expected to throw an error with an error code, but none given');
      await applied(() => engine.throwError(parseKey(request.jobKey, 'jobKey'), code, String(request.errorMessage ?? ''), parseVariables(request.variables)));
      return {};
    }),

    UpdateJobRetries: unary(async (request) => {
      await applied(() => engine.updateJobRetries(parseKey(request.jobKey, 'jobKey'), Number(request.retries ?? 0)));
      return {};
    }),

    UpdateJobTimeout: unary(async (request) => {
      await applied(() => engine.updateJobTimeout(parseKey(request.jobKey, 'jobKey'), Number(request.timeout ?? 0)));
      return {};
    }),

    ResolveIncident: unary(async (request) => {
      await applied(() => engine.resolveIncident(parseKey(request.incidentKey, 'incidentKey')));
      return {};
    }),

    PublishMessage: unary(async (request) => {
      const name = String(request.name ?? '');
      if (!name) throw grpcError(grpc.status.INVALID_ARGUMENT, 'Expected message name to be non-empty');
      const tenantId = tenantOf(request.tenantId as string);
      const message = await applied(() =>
        engine.publishMessage({
          name,
          correlationKey: String(request.correlationKey ?? ''),
          timeToLive: Number(request.timeToLive ?? 0),
          messageId: String(request.messageId ?? ''),
          variables: parseVariables(request.variables),
          tenantId,
        }),
      );
      return { key: String(message.key), tenantId };
    }),

    BroadcastSignal: unary(async (request) => {
      const name = String(request.signalName ?? '');
      if (!name) throw grpcError(grpc.status.INVALID_ARGUMENT, 'Expected signal name to be non-empty');
      const tenantId = tenantOf(request.tenantId as string);
      const key = await applied(() => engine.broadcastSignal({ name, variables: parseVariables(request.variables), tenantId }));
      return { key: String(key), tenantId };
    }),

    SetVariables: unary(async (request) => {
      const variables = parseVariables(request.variables);
      await applied(() => engine.setVariables(parseKey(request.elementInstanceKey, 'elementInstanceKey'), variables, request.local === true));
      return { key: String(engine.newKey()) };
    }),
  };
}

function createInstance(engine: GatewayBackend, request: Record<string, unknown>) {
  const tenantId = tenantOf(request.tenantId as string);
  const processDefinitionKey = Number(request.processDefinitionKey ?? 0);
  const bpmnProcessId = String(request.bpmnProcessId ?? '');
  if (!processDefinitionKey && !bpmnProcessId) {
    throw grpcError(grpc.status.INVALID_ARGUMENT, 'Expected either bpmnProcessId or processDefinitionKey to be set');
  }
  const version = request.version === undefined || request.version === null ? -1 : Number(request.version);
  const definition = engine.findDefinition({
    ...(processDefinitionKey ? { processDefinitionKey } : { bpmnProcessId, version: version === 0 ? -1 : version }),
    tenantId,
  });
  const starts = ((request.startInstructions as Array<{ elementId: string }> | undefined) ?? []).map((s) => s.elementId);
  const root = engine.createProcessInstance(definition, parseVariables(request.variables), starts);
  return { definition, root };
}

function activationRequest(request: Record<string, unknown>, withMax: boolean) {
  const type = String(request.type ?? '');
  if (!type) throw grpcError(grpc.status.INVALID_ARGUMENT, "Expected to activate jobs of a type, but 'type' is blank");
  const worker = String(request.worker ?? '');
  if (!worker) throw grpcError(grpc.status.INVALID_ARGUMENT, "Expected to activate jobs for a worker, but 'worker' is blank");
  const timeout = Number(request.timeout ?? 0);
  if (timeout < 1) throw grpcError(grpc.status.INVALID_ARGUMENT, `Expected to activate jobs with a timeout of at least 1 ms, but was '${timeout}'`);
  const maxJobs = withMax ? Number(request.maxJobsToActivate ?? 0) : 1;
  if (maxJobs < 1) throw grpcError(grpc.status.INVALID_ARGUMENT, `Expected to activate at least 1 job, but maxJobsToActivate was '${maxJobs}'`);
  return {
    type,
    worker,
    timeout,
    maxJobs,
    fetchVariables: (request.fetchVariable as string[] | undefined) ?? [],
    tenantIds: (request.tenantIds as string[] | undefined) ?? [],
  };
}

/**
 * Tells clients that this server takes uncompressed messages only. The SDK asks grpc-js to gzip
 * every request; on loopback that is pure CPU cost on both sides (the profile of the benchmark
 * showed zlib as the largest single item). grpc-js clients stop compressing on a channel once a
 * response names the encodings the server accepts without theirs. Compressed requests that still
 * arrive (the first ones on a channel, other clients) are decompressed as before.
 */
export const identityEncodingOnly: grpc.ServerInterceptor = (_method, call) =>
  new grpc.ServerInterceptingCall(call, {
    sendMetadata: (metadata, next) => {
      metadata.set('grpc-accept-encoding', 'identity');
      next(metadata);
    },
  });

/**
 * Starts the gRPC gateway on 127.0.0.1 (or `host`) and `port` (0 = ephemeral). Methods of the
 * protocol the engine does not implement answer UNIMPLEMENTED.
 */
export async function startGrpcGateway(engine: GatewayBackend, port: number, host = '127.0.0.1'): Promise<GrpcGateway> {
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, interceptors: [identityEncodingOnly] });
  const dispatcher = new JobDispatcher(engine);
  let boundPort = port;
  const service = loadGatewayService();
  const implemented = gatewayHandlers(engine, dispatcher, () => ({ host, port: boundPort }));
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(service)) {
    handlers[name] =
      implemented[name] ??
      ((_call: unknown, callback?: Callback) => {
        const error = grpcError(grpc.status.UNIMPLEMENTED, `The local engine does not implement ${name}`);
        if (typeof callback === 'function') callback(error);
        else (_call as grpc.ServerWritableStream<unknown, unknown>).emit('error', error);
      });
  }
  server.addService(service, handlers);
  // grpc-js also prints a failed bind on stderr; the caller reports it (a taken port) in its own words.
  grpc.setLogger({
    error: (...args: unknown[]) => {
      if (!args.some((arg) => typeof arg === 'string' && arg.includes('No address added out of total'))) console.error(...args);
    },
    info: (...args: unknown[]) => console.info(...args),
    debug: (...args: unknown[]) => console.debug(...args),
  });
  boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve) => {
        dispatcher.close();
        server.forceShutdown();
        resolve();
      }),
  };
}
