/**
 * Structured JSON logging (pino). Child loggers carry the seed §26 correlation fields so a single
 * order can be followed across workers, relays and HTTP requests.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

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

/** The root logger of a process. */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'fulfillment-pack' }, timestamp: pino.stdTimeFunctions.isoTime });
}
