/**
 * CorrelationRelay (seed §10–§11, §21): publishes each pending `workflow_message_correlation` —
 * written in the transaction that accepted a partner callback or an operator command — to the
 * engine, and marks it CORRELATED. So a process hears of a callback exactly when the callback's
 * effects have committed, and never of one that was rolled back.
 *
 * Every row is published with messageId = row id and its time to live, so the engine deduplicates
 * a re-publish while the message is buffered. Outcomes of one publish:
 * - accepted: the row is CORRELATED (the seed's name; in the engine's terms, published);
 * - refused with ALREADY_EXISTS: an earlier publish of this row got through and the commit that
 *   should have followed did not (a crash); the row is CORRELATED too;
 * - any other error: attempts + 1, the error kept, due again after an exponential back-off (capped
 *   at 5 minutes), and FAILED after `maxAttempts` (visible, never dropped).
 *
 * One transaction per row: claim it with FOR UPDATE SKIP LOCKED, publish, mark, commit. Another
 * relay instance skips the locked row, and once the commit is visible the row is no longer PENDING,
 * so no two instances publish a row. A transaction per batch would do the same with fewer commits,
 * but it would keep a whole batch's published-but-unmarked rows in the crash window, and a message
 * with a zero time to live is not buffered, so the engine cannot deduplicate its re-publish: the
 * window is kept to one row.
 */
import type pg from 'pg';
import type { ZeebeClient } from '../engine/camunda-connection';
import type { Logger } from '../observability/logger';
import { withTransaction } from '../store/database';
import { claimDueMessageCorrelation, type ClaimedMessageCorrelationRow } from '../store/queries/claim-due-message-correlation';
import { markMessageCorrelationCorrelated } from '../store/queries/mark-message-correlation-correlated';
import { recordMessageCorrelationFailure } from '../store/queries/record-message-correlation-failure';
import { startPollLoop, type PollLoop } from './poll-loop';

/** A message as the relay publishes it. */
export interface PublishMessageRequest {
  name: string;
  correlationKey: string;
  /** The correlation row's id: the engine refuses a second message with it while buffered. */
  messageId: string;
  /** Milliseconds the engine buffers the message when no catch is open. */
  timeToLive: number;
  variables: Record<string, unknown>;
}

/** What the relay needs of the engine client; the SDK's Zeebe gRPC client has it. */
export interface MessagePublisher {
  publishMessage(request: PublishMessageRequest): Promise<unknown>;
}

type SdkMessageVariables = NonNullable<Parameters<ZeebeClient['publishMessage']>[0]['variables']>;

/**
 * The SDK's Zeebe gRPC client (`camunda.zeebe`) as the relay's publisher. Its variables type is a
 * JSON without null; ours come from a jsonb column, JSON by construction, and the SDK sends them
 * stringified, nulls included, so the cast changes nothing on the wire.
 */
export function zeebeMessagePublisher(zeebe: Pick<ZeebeClient, 'publishMessage'>): MessagePublisher {
  return {
    publishMessage: (request) => zeebe.publishMessage({ ...request, variables: request.variables as SdkMessageVariables }),
  };
}

/** A row the relay has published. */
export type CorrelatedMessage = ClaimedMessageCorrelationRow;

/** Options of the relay. */
export interface CorrelationRelayOptions {
  pool: pg.Pool;
  publisher: MessagePublisher;
  log: Logger;
  /** Rows per round (default 20). */
  batchSize?: number;
  /** Publish attempts before a row is FAILED (default 10). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt up to 5 minutes (default 500 ms). */
  retryBaseMs?: number;
  /** Wait between rounds when nothing is due (default 200 ms). */
  pollIntervalMs?: number;
  /** Called after a row's CORRELATED mark has committed. */
  onCorrelated?(row: CorrelatedMessage): void;
}

/** Outcome of one claimed row. */
export type CorrelationOutcome = 'correlated' | 'duplicate' | 'retry' | 'failed';

const maxRetryDelayMs = 300_000;

/** gRPC ALREADY_EXISTS: the engine already holds a message with this id. */
const grpcAlreadyExists = 6;

/** True when the engine refused the publish because a message with its id already exists. */
export function isMessageAlreadyPublished(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === grpcAlreadyExists || code === 'ALREADY_EXISTS') return true;
  return error instanceof Error && /^6 ALREADY_EXISTS\b/.test(error.message);
}

/** The back-off before the next attempt of a row that has failed `attempts` times before. */
export function correlationRetryDelayMs(retryBaseMs: number, attempts: number): number {
  return Math.min(maxRetryDelayMs, retryBaseMs * 2 ** attempts);
}

/** Publishes pending message correlations until stopped. */
export class CorrelationRelay {
  private loop: PollLoop | undefined;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: CorrelationRelayOptions) {
    this.batchSize = options.batchSize ?? 20;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.retryBaseMs = options.retryBaseMs ?? 500;
  }

  /**
   * Handles one due row, skipping `handledIds` (rows this round already tried); undefined when
   * none is due.
   */
  async publishNext(handledIds: readonly string[] = []): Promise<{ id: string; outcome: CorrelationOutcome } | undefined> {
    const { pool, publisher, log } = this.options;
    let correlated: CorrelatedMessage | undefined;
    const result = await withTransaction(pool, async (tx) => {
      const row = await claimDueMessageCorrelation(tx, { skipIds: handledIds });
      if (!row) return undefined;
      const context = {
        tenantId: row.tenant_id,
        processInstanceKey: row.process_instance_key,
        messageName: row.message_name,
        correlationKey: row.correlation_key,
        messageId: row.id,
      };
      let outcome: CorrelationOutcome = 'correlated';
      try {
        await publisher.publishMessage({
          name: row.message_name,
          correlationKey: row.correlation_key,
          messageId: row.id,
          timeToLive: Number(row.time_to_live_ms),
          variables: row.variables,
        });
      } catch (error) {
        if (isMessageAlreadyPublished(error)) {
          outcome = 'duplicate';
        } else {
          const retryInMs = correlationRetryDelayMs(this.retryBaseMs, row.attempts);
          const status = await recordMessageCorrelationFailure(tx, {
            tenantId: row.tenant_id,
            id: row.id,
            error: (error as Error).message ?? String(error),
            retryInMs,
            maxAttempts: this.maxAttempts,
          });
          log.warn({ ...context, err: error, attempts: row.attempts + 1, status, retryInMs }, 'message publish failed');
          return { id: row.id, outcome: status === 'FAILED' ? 'failed' : 'retry' } as const;
        }
      }
      await markMessageCorrelationCorrelated(tx, { tenantId: row.tenant_id, id: row.id });
      log.info({ ...context, duplicate: outcome === 'duplicate' }, 'message published');
      correlated = row;
      return { id: row.id, outcome };
    });
    if (correlated) {
      try {
        this.options.onCorrelated?.(correlated);
      } catch (error) {
        // The row is committed; a failing observer must not make the round look failed.
        log.warn({ err: error, messageId: correlated.id }, 'onCorrelated hook failed');
      }
    }
    return result;
  }

  /** One round: up to `batchSize` rows, each at most once; returns how many were handled. */
  async runOnce(): Promise<number> {
    const handled: string[] = [];
    while (handled.length < this.batchSize) {
      const next = await this.publishNext(handled);
      if (!next) break;
      handled.push(next.id);
    }
    return handled.length;
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    this.loop ??= startPollLoop({
      name: 'correlation relay',
      round: async () => (await this.runOnce()) === this.batchSize,
      log: this.options.log,
      pollIntervalMs: this.options.pollIntervalMs ?? 200,
      maxBackoffMs: 30_000,
    });
  }

  /** Stops after the current round; resolves when the loop has ended. */
  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
