/**
 * `npm start`: runs the connector runtime until SIGINT / SIGTERM, then stops it in order (stop
 * taking work, close job streams and relays, the engine's final checkpoint, pools, and the
 * embedded PostgreSQL last). A second signal exits at once. A configuration or start-up error is
 * printed as one readable line naming what to change, and exits 1 with nothing left running.
 */
import { PortTakenError } from '../../local-engine/src/port-taken';
import { loadConfig } from './config';
import { FulfillmentError } from './errors';
import { createLogger } from './observability/logger';
import { startRuntime } from './runtime';
import { EmbeddedDatabaseError } from './store/embedded-postgres';

/** The setting that chose each port the runtime listens on. */
const portSettings: Record<string, string> = {
  HTTP: 'HTTP_PORT (or HTTP_HOST)',
  gRPC: 'LOCAL_ENGINE_GRPC_PORT',
  REST: 'LOCAL_ENGINE_REST_PORT',
};

/** One line for a person: what failed and what to change. */
function startFailure(error: unknown): string {
  if (error instanceof PortTakenError) {
    return `start failed: ${error.message} (another program, or another \`npm start\`, uses it): set ${portSettings[error.service] ?? 'its port setting'} to a free port, or stop the other one`;
  }
  if (error instanceof EmbeddedDatabaseError) return `start failed: ${error.message}`;
  if (error instanceof FulfillmentError) return `start failed [${error.code}]: ${error.message}`;
  return `start failed: ${error instanceof Error ? error.message : String(error)}`;
}

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL);
// A signal during the start is kept and honoured once the start has finished (or failed), so a
// half-started runtime is never left behind: the embedded PostgreSQL runs in a group of its own.
let signalDuringStart: string | undefined;
const early = (signal: string) => () => {
  signalDuringStart ??= signal;
};
const earlyInt = early('SIGINT');
const earlyTerm = early('SIGTERM');
process.on('SIGINT', earlyInt);
process.on('SIGTERM', earlyTerm);
try {
  const runtime = await startRuntime(config, log);
  process.off('SIGINT', earlyInt);
  process.off('SIGTERM', earlyTerm);
  let stoppingSince: number | undefined;
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      // A terminal's Ctrl-C reaches us twice (directly and forwarded by npm): only a signal that
      // comes later is someone who does not want to wait.
      if (Date.now() - stoppingSince < 2000) return;
      log.warn({ signal }, 'second signal: exiting without finishing the stop');
      process.exit(130);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'stopping');
    runtime.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (signalDuringStart) shutdown(signalDuringStart);
} catch (error) {
  // The details (stack, cause) for whoever debugs; the one line for whoever runs it.
  log.debug({ err: error }, 'start failed');
  console.error(startFailure(error));
  process.exit(1);
}
