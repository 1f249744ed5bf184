/**
 * Wires the runtime from its configuration: database (given or embedded), migrations, the Camunda
 * connection (a cluster, or the local engine in-process) with the pack's model and forms deployed,
 * metrics and the HTTP API. `main.ts` runs it as a process; tests start it in-process on ephemeral
 * ports.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../local-engine/src/clock';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { isAddressInUse, PortTakenError } from '../../local-engine/src/port-taken';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type pg from 'pg';
import { createPartnerAdapters, PartnerSimulator } from './adapters';
import { partnerSystems, type PartnerSystem } from './adapters/partner-adapter';
import { processCallback, processPendingCallbacks } from './commands/process-callback';
import type { PartnerAdapters } from './commands/task-execution';
import { startJobWorker, withoutStreamCancellationReports } from './engine/job-workers';
import { jobBindings, type JobBinding } from './jobs/handlers';
import { createFulfillmentMetrics, type FulfillmentMetrics } from './observability/metrics';
import { CorrelationRelay, zeebeMessagePublisher } from './relays/correlation-relay';
import { startPollLoop } from './relays/poll-loop';
import { createFaultPoints } from './faults/fault-points';
import { deleteExpiredHttpIdempotencyRecords } from './store/queries/delete-expired-http-idempotency-records';
import { externalSystems } from './domain/vocabulary';
import { migrate } from '../../db/migrate-lib';
import type { Config } from './config';
import { connectCamunda, type CamundaConnection } from './engine/camunda-connection';
import { deployBundledResources } from './engine/deploy-bundled-resources';
import { createApp } from './http/app';
import { apiAccessRouter } from './http/api-access';
import { openApiRouter } from './http/openapi';
import { authOptionsFrom } from './http/auth';
import { internalWorkflowsRouter } from './http/order-commands/internal-workflows-router';
import { orderCommandsRouter } from './http/order-commands/order-commands-router';
import { ordersRouter } from './http/orders/orders-router';
import { callbacksRouter } from './http/callbacks-router';
import { createLogger, type Logger } from './observability/logger';
import { connectKafkaEventSink } from './relays/kafka-event-sink';
import { kebabCase, OutboxRelay } from './relays/outbox-relay';
import { StartRelay } from './relays/start-relay';
import { createPool } from './store/database';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './store/embedded-postgres';

/** A started runtime. */
export interface Runtime {
  /** Base URL of the HTTP API. */
  httpUrl: string;
  databaseUrl: string;
  /** The Camunda connection: cluster or in-process local engine. */
  camunda: CamundaConnection;
  log: Logger;
  pool: pg.Pool;
  metrics: FulfillmentMetrics;
  /** The in-process partner simulator, when PARTNER_URLS is unset. */
  simulator: PartnerSimulator | undefined;
  /** Stops accepting requests, closes the pool and stops the embedded database if one runs. */
  stop(): Promise<void>;
}

/**
 * Opens every job stream, retrying those that fail (every 5 s, with a warning) until they open or
 * `stop` is called. `firstAttempt` resolves after one try of each.
 */
function startJobWorkers(
  bindings: readonly JobBinding[],
  open: (binding: JobBinding) => Promise<{ close(): void }>,
  log: Logger,
): { firstAttempt: Promise<void>; allOpen(): boolean; stop(): Promise<void> } {
  const opened = new Map<string, { close(): void }>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<void> => {
    for (const binding of bindings) {
      if (stopped || opened.has(binding.contract.type)) continue;
      try {
        opened.set(binding.contract.type, await open(binding));
      } catch (error) {
        log.warn({ jobType: binding.contract.type, error: { message: (error as Error).message } }, 'job stream not open yet; retrying in 5 s');
      }
    }
    if (!stopped && opened.size < bindings.length) timer = setTimeout(() => void attempt(), 5000);
  };
  return {
    firstAttempt: attempt(),
    allOpen: () => opened.size === bindings.length,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const worker of opened.values()) worker.close();
    },
  };
}

/** What tests may change beyond the configuration. */
export interface RuntimeOptions {
  /** The in-process local engine's clock (tests move timers with a manual clock). */
  engineClock?: Clock;
}

/** A fresh Standard Webhooks secret for each simulated system's callbacks. */
function simulatorSecrets(): Record<PartnerSystem, string> {
  return Object.fromEntries(partnerSystems.map((system) => [system, `whsec_${randomBytes(24).toString('base64')}`])) as Record<PartnerSystem, string>;
}

/** Starts the runtime; on failure everything already started is stopped again. */
export async function startRuntime(config: Config, log: Logger = createLogger(config.LOG_LEVEL), options: RuntimeOptions = {}): Promise<Runtime> {
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = () =>
    withoutStreamCancellationReports(async () => {
      stopping = true;
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log.warn({ err: error }, 'stop step failed'));
      cleanups.length = 0;
    });
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      log.info({ dataDir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT }, 'DATABASE_URL unset: starting embedded PostgreSQL');
      const embedded: EmbeddedDatabase = await startEmbeddedDatabase({
        dataDir: config.EMBEDDED_PG_DIR,
        port: config.EMBEDDED_PG_PORT,
        log: (line) => log.info(line),
      });
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    await migrate(databaseUrl, { log: (line) => log.info(line) });

    // the message and code only: a pg error drags its client (connection settings, statements) along
    const pool = createPool(databaseUrl, {
      onIdleError: (error) => stopping || log.warn({ error: { message: error.message, code: (error as { code?: string }).code } }, 'idle database connection lost'),
    });
    cleanups.push(() => pool.end());
    const camunda = await connectCamunda(config, databaseUrl, log, { ...(options.engineClock ? { engineClock: options.engineClock } : {}), stopping: () => stopping });
    cleanups.push(() => camunda.close());
    if (config.DEPLOY_RESOURCES) {
      const deployed = await deployBundledResources(camunda.zeebe);
      log.info(deployed, 'process models and forms deployed');
    }

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const metrics = createFulfillmentMetrics(registry);
    // Until every worker stream and relay runs, the runtime is not ready to take orders.
    let relaysRunning = false;
    let workersRunning = (): boolean => false;

    // Partners: the configured systems, or the simulators, which call back like real partners.
    let callbackAdapters = config.CALLBACK_ADAPTERS;
    const faults = createFaultPoints(config.FAULT_POINTS, (name, spec) => log.warn({ faultPoint: name, action: spec.action }, 'fault injected'));
    if (config.FAULT_POINTS) log.warn({ faultPoints: config.FAULT_POINTS }, 'FAULT_POINTS set: faults will be injected (tests only)');
    let simulator: PartnerSimulator | undefined;
    let partners: PartnerAdapters;
    if (config.PARTNER_URLS) {
      partners = createPartnerAdapters(config.PARTNER_URLS as Partial<Record<PartnerSystem, string>>);
    } else {
      const secrets = simulatorSecrets();
      simulator = new PartnerSimulator({ callbackBaseUrl: 'http://127.0.0.1:0', secrets, log, defaults: { callbackDelayMs: config.SIMULATOR_CALLBACK_DELAY_MS } });
      const { url } = await simulator.start();
      const running = simulator;
      cleanups.push(() => running.close());
      partners = createPartnerAdapters(url);
      callbackAdapters = { ...callbackAdapters };
      for (const system of externalSystems) {
        callbackAdapters[system] ??= { tenantId: config.SIMULATOR_TENANT, secrets: [secrets[system]!] };
      }
      log.info({ url, tenantId: config.SIMULATOR_TENANT }, 'PARTNER_URLS unset: partner simulators started in-process');
    }

    // Plans persisted with a start request get their process instance (seed §6).
    const startRelay = new StartRelay({ pool, starter: camunda.zeebe, log });
    startRelay.start();
    cleanups.push(() => startRelay.stop());

    // Without Kafka the outbox keeps filling and stays readable; with it, the relay drains it.
    if (config.KAFKA_BROKERS) {
      const sink = await connectKafkaEventSink({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log });
      cleanups.push(() => sink.close());
      const relay = new OutboxRelay({ pool, sink, log, registry, faults, topicFor: (aggregateType) => `${config.KAFKA_TOPIC_PREFIX}${kebabCase(aggregateType)}` });
      relay.start();
      cleanups.push(() => relay.stop());
    }

    const deps = { metrics, partners, log, faults };
    // The order API: tokens from API_TOKENS or a JWKS; without either, a demo token for the simulator tenant.
    const access = authOptionsFrom(config);
    if (access.demoToken) log.info({ tenantId: config.SIMULATOR_TENANT }, `order API demo token (every role, tenant ${config.SIMULATOR_TENANT}): ${access.demoToken}`);
    const app = createApp({
      log,
      registry,
      routers: [
        openApiRouter(),
        apiAccessRouter(pool, { auth: access.options, log }),
        ordersRouter(pool),
        orderCommandsRouter(pool, { ...deps, restAddress: camunda.restAddress }),
        internalWorkflowsRouter({ pool, ...deps }),
      ],
      rawBodyRouters: [
        callbacksRouter(pool, callbackAdapters, {
          async onStored(callback) {
            if (callback.inserted) metrics.callbackReceived.inc({ system: callback.system });
            else metrics.callbackDuplicate.inc({ system: callback.system });
            if (!callback.inserted) return;
            await faults.hit('callback.after-store');
            try {
              const outcome = await processCallback(pool, callback, deps);
              log.info({ tenantId: callback.tenantId, callbackId: callback.callbackId, ownerSystem: callback.system, outcome: outcome.kind }, 'partner callback processed');
            } catch (error) {
              log.warn({ err: error, callbackId: callback.callbackId }, 'partner callback stored; processing deferred to the recovery loop');
            }
          },
        }),
      ],
      readiness: [
        { name: 'database', check: async () => void (await pool.query('select 1')) },
        { name: 'camunda', check: () => camunda.checkReachable() },
        {
          name: 'workers',
          check: async () => {
            if (!relaysRunning) throw new Error('relays are not running yet');
            if (!workersRunning()) throw new Error('job workers are not streaming jobs yet (is the gateway reachable?)');
          },
        },
      ],
    });
    const server: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.HTTP_PORT, config.HTTP_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw isAddressInUse(error) ? new PortTakenError('HTTP', config.HTTP_HOST, config.HTTP_PORT, { cause: error }) : error;
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    // Every interface is reachable through loopback; a specific address only through itself.
    const reachableHost = ['0.0.0.0', '::'].includes(config.HTTP_HOST) ? '127.0.0.1' : config.HTTP_HOST;
    const httpUrl = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;
    simulator?.setCallbackBaseUrl(httpUrl);

    // One job stream per job type of the model, each answered through the job adapter (docs/architecture.md §3).
    // A gateway that does not answer yet does not stop the start: the streams open when it does,
    // and /ready says DOWN until then.
    const workers = startJobWorkers(jobBindings({ pool, ...deps }), (binding) => startJobWorker(camunda.zeebe, binding.contract, binding.handler, { log, registry, worker: 'fulfillment-pack', timeoutMs: config.JOB_TIMEOUT_MS }), log);
    await workers.firstAttempt;
    workersRunning = () => workers.allOpen();
    cleanups.push(() => workers.stop());
    // Stored callbacks become messages for the engine (seed §11).
    const correlationRelay = new CorrelationRelay({ pool, publisher: zeebeMessagePublisher(camunda.zeebe), log });
    correlationRelay.start();
    cleanups.push(() => correlationRelay.stop());
    // Recovery: a callback stored but not processed (a crash in between) is processed here.
    const callbackLoop = startPollLoop({
      name: 'callback recovery',
      round: async () => (await processPendingCallbacks(pool, 50, deps)) === 50,
      log,
      pollIntervalMs: 5000,
      maxBackoffMs: 60_000,
    });
    cleanups.push(() => callbackLoop.stop());
    // Idempotency-Key records are kept 24 h; expired ones are removed in small batches.
    const idempotencyCleanup = startPollLoop({
      name: 'idempotency record clean-up',
      round: async () => (await deleteExpiredHttpIdempotencyRecords(pool, { limit: 500 })) === 500,
      log,
      pollIntervalMs: 10 * 60_000,
      maxBackoffMs: 60 * 60_000,
    });
    cleanups.push(() => idempotencyCleanup.stop());
    relaysRunning = true;
    log.info(
      { httpUrl, httpHost: config.HTTP_HOST, zeebe: camunda.grpcAddress, kafka: config.KAFKA_BROKERS ?? 'off (events stay in the outbox)' },
      `fulfillment runtime ready on ${httpUrl}`,
    );
    return { httpUrl, databaseUrl, camunda, log, pool, metrics, simulator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
