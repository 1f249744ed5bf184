/**
 * Structured logging (pino). Child loggers carry the seed §26 correlation fields so a single
 * order can be followed across workers, relays and HTTP requests. On a terminal the lines are
 * pretty (pino-pretty); anywhere else (a pipe, a file, a log collector) one JSON object a line.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';

export type { Logger };

/** The log fields of seed §26 that identify what a line is about. */
export interface LogContext {
  tenantId?: string;
  correlationId?: string;
  orderId?: string;
  orderItemId?: string;
  fulfillmentPlanId?: string;
  fulfillmentTaskId?: string;
  executionId?: string;
  processInstanceKey?: string;
  jobType?: string;
  taskType?: string;
  ownerSystem?: string;
  externalCorrelationId?: string;
  attemptNo?: number;
  stateBefore?: string;
  stateAfter?: string;
  durationMs?: number;
  falloutCaseId?: string;
}

/** Where log lines go: stdout, or a stream a test reads; `isTTY` says whether a person reads it. */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * The root logger of a process: pretty lines when `destination` is a terminal, JSON otherwise.
 * Pretty lines are formatted in-process and written synchronously, so the last lines before an
 * exit are not lost in a worker thread's buffer.
 */
export function createLogger(level: LevelWithSilent = 'info', destination: LogDestination = process.stdout): Logger {
  const options = { level, base: { service: 'fulfillment-pack' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (destination.isTTY !== true) return pino(options, destination);
  const prettify = prettyFactory({
    colorize: isColorSupported,
    translateTime: 'SYS:HH:MM:ss.l',
    // One process writes to a terminal: its name on every line is noise.
    ignore: 'pid,hostname,service',
  });
  return pino(options, { write: (line: string) => void destination.write(prettify(line)) });
}
