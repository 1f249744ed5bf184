/**
 * Wires the runtime from its configuration: database (given or embedded), migrations, the Camunda
 * connection (a cluster, or the local engine in-process) with the pack's model and forms deployed,
 * metrics and the HTTP API. `main.ts` runs it as a process; tests start it in-process on ephemeral
 * ports.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { migrate } from '../../db/migrate-lib';
import type { Config } from './config';
import { connectCamunda, type CamundaConnection } from './engine/camunda-connection';
import { deployBundledResources } from './engine/deploy-bundled-resources';
import { createApp } from './http/app';
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
  /** Stops accepting requests, closes the pool and stops the embedded database if one runs. */
  stop(): Promise<void>;
}

/** Starts the runtime; on failure everything already started is stopped again. */
export async function startRuntime(config: Config, log: Logger = createLogger(config.LOG_LEVEL)): Promise<Runtime> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log.warn({ err: error }, 'stop step failed'));
    cleanups.length = 0;
  };
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
      onIdleError: (error) => log.warn({ error: { message: error.message, code: (error as { code?: string }).code } }, 'idle database connection lost'),
    });
    cleanups.push(() => pool.end());
    const camunda = await connectCamunda(config, databaseUrl, log);
    cleanups.push(() => camunda.close());
    if (config.DEPLOY_RESOURCES) {
      const deployed = await deployBundledResources(camunda.zeebe);
      log.info(deployed, 'process models and forms deployed');
    }

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    // Plans persisted with a start request get their process instance (seed §6).
    const startRelay = new StartRelay({ pool, starter: camunda.zeebe, log });
    startRelay.start();
    cleanups.push(() => startRelay.stop());

    // Without Kafka the outbox keeps filling and stays readable; with it, the relay drains it.
    if (config.KAFKA_BROKERS) {
      const sink = await connectKafkaEventSink({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log });
      cleanups.push(() => sink.close());
      const relay = new OutboxRelay({ pool, sink, log, registry, topicFor: (aggregateType) => `${config.KAFKA_TOPIC_PREFIX}${kebabCase(aggregateType)}` });
      relay.start();
      cleanups.push(() => relay.stop());
    }

    const app = createApp({
      log,
      registry,
      rawBodyRouters: [callbacksRouter(pool, config.CALLBACK_ADAPTERS)],
      readiness: [
        { name: 'database', check: async () => void (await pool.query('select 1')) },
        { name: 'camunda', check: () => camunda.checkReachable() },
      ],
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.HTTP_PORT, () => resolve(s));
      s.once('error', reject);
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const httpUrl = `http://localhost:${port}`;
    log.info(
      { httpUrl, zeebe: camunda.grpcAddress, kafka: config.KAFKA_BROKERS ?? 'off (events stay in the outbox)' },
      'fulfillment runtime ready',
    );
    return { httpUrl, databaseUrl, camunda, log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
