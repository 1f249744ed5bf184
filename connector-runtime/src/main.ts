/**
 * `npm start`: runs the connector runtime until SIGINT / SIGTERM. A configuration or start-up error
 * is printed as one readable line and exits 1.
 */
import { loadConfig } from './config';
import { FulfillmentError } from './errors';
import { createLogger } from './observability/logger';
import { startRuntime } from './runtime';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL);
try {
  const runtime = await startRuntime(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  const code = error instanceof FulfillmentError ? ` [${error.code}]` : '';
  const message = error instanceof Error ? error.message : String(error);
  log.fatal({ err: error }, `start failed${code}: ${message}`);
  process.exit(1);
}
