/**
 * The runtime's connection to Camunda: the cluster named by ZEEBE_GRPC_ADDRESS, or the local
 * engine started in-process when it is unset (docs/architecture.md §8). Everything else talks to Camunda
 * through the unmodified @camunda8/sdk client this returns, so the same code runs against both.
 */
import { Camunda8 } from '@camunda8/sdk';
import type { Clock } from '../../../local-engine/src/clock';
import { startLocalEngine, type LocalEngine } from '../../../local-engine/src/start-local-engine';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';

/** The SDK's Zeebe gRPC client. */
export type ZeebeClient = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

/** A connection to Camunda. */
export interface CamundaConnection {
  zeebe: ZeebeClient;
  /** `grpc://host:port` of the gateway in use. */
  grpcAddress: string;
  /** REST address of the cluster, when known. */
  restAddress: string | undefined;
  /** True when the gateway is the in-process local engine. */
  local: boolean;
  /** Resolves when the gateway answers a topology request; one attempt, no retries. */
  checkReachable(): Promise<void>;
  /** Closes the client, then stops the local engine if one runs. */
  close(): Promise<void>;
}

/** Connects to the configured cluster, or starts the local engine on `databaseUrl` and connects to it. */
export async function connectCamunda(config: Config, databaseUrl: string, log: Logger, options: { engineClock?: Clock; stopping?: () => boolean } = {}): Promise<CamundaConnection> {
  let engine: LocalEngine | undefined;
  let grpcAddress = config.ZEEBE_GRPC_ADDRESS;
  let restAddress = config.ZEEBE_REST_ADDRESS;
  if (grpcAddress === undefined) {
    engine = await startLocalEngine({
      databaseUrl,
      grpcPort: config.LOCAL_ENGINE_GRPC_PORT,
      restPort: config.LOCAL_ENGINE_REST_PORT,
      ...(options.engineClock ? { clock: options.engineClock } : {}),
      // While the runtime stops, a database going away (Ctrl-C reaches the embedded one too) is expected.
      warn: (message, error) => options.stopping?.() || log.warn({ error: { message: error.message, code: (error as { code?: string }).code } }, message),
    });
    grpcAddress = `grpc://${engine.grpcAddress}`;
    restAddress = engine.restAddress;
    log.info({ grpcAddress, restAddress }, 'ZEEBE_GRPC_ADDRESS unset: local engine started in-process');
  }
  // The SDK reads its remaining settings (auth, TLS, tenants) from the environment itself.
  const settings = {
    ZEEBE_GRPC_ADDRESS: grpcAddress,
    ...(restAddress ? { ZEEBE_REST_ADDRESS: restAddress } : {}),
    ...(engine ? { CAMUNDA_AUTH_STRATEGY: 'NONE' } : {}),
    ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
  };
  const zeebe = new Camunda8(settings as ConstructorParameters<typeof Camunda8>[0]).getZeebeGrpcApiClient();
  // Readiness needs one honest answer; the main client retries an unreachable gateway for minutes.
  const probe = new Camunda8({ ...settings, zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false } } as ConstructorParameters<typeof Camunda8>[0]).getZeebeGrpcApiClient();
  return {
    zeebe,
    grpcAddress,
    restAddress,
    local: engine !== undefined,
    async checkReachable() {
      await probe.topology();
    },
    async close() {
      try {
        await Promise.all([zeebe.close(), probe.close()]);
      } finally {
        // whatever the clients did, the engine must let go of the database before it stops
        await engine?.stop();
      }
    },
  };
}
