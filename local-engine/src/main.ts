/**
 * `npm run engine`: the local engine standalone on localhost:26500 (gRPC) and :8080 (REST), on
 * DATABASE_URL or, when unset, on an embedded PostgreSQL kept in a data folder so the state
 * survives restarts. Prints how to point the Camunda SDK at it.
 *
 * Settings (environment):
 * - DATABASE_URL: PostgreSQL for the engine state (default: embedded PostgreSQL);
 * - LOCAL_ENGINE_GRPC_PORT (default 26500), LOCAL_ENGINE_REST_PORT (default 8080);
 * - LOCAL_ENGINE_HOST (default localhost);
 * - LOCAL_ENGINE_DATA_DIR (default .cache/local-engine-postgres), LOCAL_ENGINE_PG_PORT (default 54329):
 *   where and on which port the embedded PostgreSQL runs;
 * - LOCAL_ENGINE_HISTORY_LIMIT (default 10000): ended process instances whose history the REST
 *   API keeps; older ones are forgotten.
 */
import { EmbeddedDatabaseError, startEmbeddedDatabase, type EmbeddedDatabase } from '../../connector-runtime/src/store/embedded-postgres';
import { PortTakenError } from './port-taken';
import { defaultHistoryLimit } from './engine';
import { startLocalEngine } from './start-local-engine';

/** A setting that cannot be used: reported in one line, without a stack trace. */
class SettingError extends Error {}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new SettingError(`${name} must be a port number, got '${raw}'`);
  return value;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new SettingError(`${name} must be a whole number of at least 1, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  const host = process.env.LOCAL_ENGINE_HOST || 'localhost';
  // every setting is checked before anything starts
  const settings = {
    grpcPort: port('LOCAL_ENGINE_GRPC_PORT', 26500),
    restPort: port('LOCAL_ENGINE_REST_PORT', 8080),
    historyLimit: positiveInteger('LOCAL_ENGINE_HISTORY_LIMIT', defaultHistoryLimit),
    pgPort: port('LOCAL_ENGINE_PG_PORT', 54329),
  };
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedDatabase({
      dataDir: process.env.LOCAL_ENGINE_DATA_DIR || '.cache/local-engine-postgres',
      port: settings.pgPort,
      database: 'local_engine',
      log: (line) => console.error(line),
    });
    databaseUrl = embedded.url;
  }
  const engine = await startLocalEngine({
    databaseUrl,
    grpcPort: settings.grpcPort,
    restPort: settings.restPort,
    historyLimit: settings.historyLimit,
    host,
  }).catch(async (error: unknown) => {
    // The engine stopped what it had started; the database this process started stops too.
    await embedded?.stop();
    throw error;
  });
  const [, grpcPort] = engine.grpcAddress.split(/:(?=\d+$)/);
  const restPort = new URL(engine.restAddress).port;
  console.log(`Local engine running (state in ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}).
Point the Camunda 8 SDK at it with:
  ZEEBE_GRPC_ADDRESS=grpc://localhost:${grpcPort}
  ZEEBE_REST_ADDRESS=http://localhost:${restPort}
  CAMUNDA_AUTH_STRATEGY=NONE
Press Ctrl+C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await engine.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** One line for a person: what failed and what to change. */
function failure(error: unknown): string {
  if (error instanceof SettingError || error instanceof EmbeddedDatabaseError) return `local engine: ${error.message}`;
  if (error instanceof PortTakenError) {
    const setting = error.service === 'gRPC' ? 'LOCAL_ENGINE_GRPC_PORT' : 'LOCAL_ENGINE_REST_PORT';
    return `local engine: ${error.message} (another program, or another engine, uses it): set ${setting} to a free port, or stop the other one`;
  }
  return `local engine: start failed: ${error instanceof Error ? error.message : String(error)}`;
}

main().catch((error: unknown) => {
  console.error(failure(error));
  process.exit(1);
});
