/**
 * Embedding entry point: starts the engine on PostgreSQL (or in memory without a database URL),
 * its gRPC gateway and its REST API, and returns their addresses and a stop function.
 */
import { SystemClock, type Clock } from './clock';
import { Engine } from './engine';
import { startGrpcGateway } from './gateway/grpc-server';
import { isAddressInUse, PortTakenError } from './port-taken';
import { startRestApi } from './rest/rest-server';
import { PostgresStore } from './state/postgres-store';

/** Options of startLocalEngine. */
export interface LocalEngineOptions {
  /** PostgreSQL for durable state; without it the state lives in memory only. */
  databaseUrl?: string;
  /** gRPC port (0 or unset = ephemeral). */
  grpcPort?: number;
  /** REST port (0 or unset = ephemeral). */
  restPort?: number;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /**
   * Wait for PostgreSQL's WAL flush on each commit (default true). False keeps every command
   * across engine restarts but may lose the last milliseconds of commits if PostgreSQL crashes.
   */
  synchronousCommit?: boolean;
  /** Clock for timers and deadlines (default: wall clock). */
  clock?: Clock;
  /** Ended process instances whose history the REST API keeps (default 10,000); older ones are forgotten. */
  historyLimit?: number;
  /** Told about trouble that does not stop the engine (a failed checkpoint of its state); default: a line on stderr. */
  warn?: (message: string, error: Error) => void;
}

/** A running local engine. */
export interface LocalEngine {
  /** `host:port` of the gRPC gateway (for ZEEBE_GRPC_ADDRESS as `grpc://host:port`). */
  grpcAddress: string;
  /** `http://host:port` of the REST API (for ZEEBE_REST_ADDRESS). */
  restAddress: string;
  engine: Engine;
  stop(): Promise<void>;
}

/** Starts the local engine. */
export async function startLocalEngine(options: LocalEngineOptions = {}): Promise<LocalEngine> {
  const host = options.host ?? '127.0.0.1';
  const warn = options.warn ?? ((message: string, error: Error) => console.error(`${message}: ${error.message}`));
  const store = options.databaseUrl
    ? new PostgresStore(options.databaseUrl, {
        synchronousCommit: options.synchronousCommit ?? true,
        onCheckpointError: (error) => warn('local engine: a checkpoint of its state failed; the journal keeps every change and the next checkpoint retries', error),
      })
    : undefined;
  const engine = new Engine(options.clock ?? new SystemClock(), store, options.historyLimit);
  await engine.start();
  // Whatever fails to bind, what already started is stopped again: nothing is left running.
  let grpc: Awaited<ReturnType<typeof startGrpcGateway>> | undefined;
  let rest: Awaited<ReturnType<typeof startRestApi>>;
  try {
    grpc = await startGrpcGateway(engine, options.grpcPort ?? 0, host).catch((error: unknown) => {
      throw isAddressInUse(error) ? new PortTakenError('gRPC', host, options.grpcPort ?? 0, { cause: error }) : error;
    });
    rest = await startRestApi(engine, options.restPort ?? 0, host).catch((error: unknown) => {
      throw isAddressInUse(error) ? new PortTakenError('REST', host, options.restPort ?? 0, { cause: error }) : error;
    });
  } catch (error) {
    await grpc?.stop().catch(() => undefined);
    await engine.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    throw error;
  }
  return {
    grpcAddress: `${host}:${grpc.port}`,
    restAddress: `http://${host}:${rest.port}`,
    engine,
    async stop() {
      await grpc.stop();
      await rest.stop();
      await engine.stop();
      await store?.close();
    },
  };
}
