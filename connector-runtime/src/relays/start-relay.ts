/**
 * StartRelay (seed §6): starts the fulfillment process for each pending `workflow_start_request`
 * written in the transaction that persisted the plan, and records the instance key and the order's
 * `order_workflow_ref` — so a plan is never persisted without its process being started, and a
 * process is never started for a plan that was rolled back.
 *
 * Each request is claimed with FOR UPDATE SKIP LOCKED in a transaction of its own, held while the
 * engine creates the instance. A failed create is retried with exponential back-off up to
 * `maxAttempts`, then the request is FAILED (visible, never dropped). One window remains: if the
 * runtime dies after Zeebe created the instance and before the commit, the request is started
 * again. Closing it is the job of `load-fulfillment-plan`, which must bind the plan's execution to
 * the first instance and refuse a second (its handler is not written yet).
 */
import type pg from 'pg';
import { orderFulfillmentProcessId } from '../jobs/model-names';
import type { Logger } from '../observability/logger';
import { withTransaction, type Tx } from '../store/database';
import { claimDueWorkflowStartRequest } from '../store/queries/claim-due-workflow-start-request';
import { insertWorkflowStartRequest } from '../store/queries/insert-workflow-start-request';
import { markWorkflowStartRequestStarted } from '../store/queries/mark-workflow-start-request-started';
import { recordWorkflowStartFailure } from '../store/queries/record-workflow-start-failure';
import { startPollLoop, type PollLoop } from './poll-loop';

/** What the relay needs of the engine client; the SDK's Zeebe client has it. */
export interface ProcessStarter {
  createProcessInstance(request: { bpmnProcessId: string; variables: Record<string, unknown> }): Promise<{ processInstanceKey: string }>;
}

/** A plan whose process should start. */
export interface WorkflowStartCommand {
  tenantId: string;
  /** Id of the request (a UUID the caller makes, e.g. from its id factory). */
  requestId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** Default order-fulfillment-v1. */
  processId?: string;
  /** Extra start variables (small control state, seed §5: e.g. `orderVersion`). */
  variables?: Record<string, unknown>;
}

/**
 * Records, inside the caller's transaction, that the plan's process must start. Idempotent per
 * business key `tenantId:orderId:fulfillmentPlanId`: returns the existing request's id on a repeat.
 */
export function requestWorkflowStart(tx: Tx, command: WorkflowStartCommand): Promise<string> {
  return insertWorkflowStartRequest(tx, {
    tenantId: command.tenantId,
    id: command.requestId,
    orderId: command.orderId,
    fulfillmentPlanId: command.fulfillmentPlanId,
    processId: command.processId ?? orderFulfillmentProcessId,
    variables: command.variables ?? {},
  });
}

/** Options of the relay. */
export interface StartRelayOptions {
  pool: pg.Pool;
  starter: ProcessStarter;
  log: Logger;
  /** Requests per round (default 20). */
  batchSize?: number;
  /** Attempts before a request is FAILED (default 10). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt up to 5 minutes (default 1 s). */
  retryBaseMs?: number;
  pollIntervalMs?: number;
}

/** Outcome of one claimed request. */
export type StartOutcome = 'started' | 'retry' | 'failed';

/** Starts pending processes until stopped. */
export class StartRelay {
  private loop: PollLoop | undefined;
  private readonly batchSize: number;

  constructor(private readonly options: StartRelayOptions) {
    this.batchSize = options.batchSize ?? 20;
  }

  /** Handles one due request; undefined when none is due. */
  async startNext(): Promise<StartOutcome | undefined> {
    const { pool, starter, log } = this.options;
    return withTransaction(pool, async (tx) => {
      const request = await claimDueWorkflowStartRequest(tx);
      if (!request) return undefined;
      const context = { tenantId: request.tenant_id, orderId: request.order_id, fulfillmentPlanId: request.fulfillment_plan_id, businessKey: request.business_key };
      try {
        const { processInstanceKey } = await starter.createProcessInstance({
          bpmnProcessId: request.process_id,
          variables: { ...request.variables, tenantId: request.tenant_id, orderId: request.order_id, fulfillmentPlanId: request.fulfillment_plan_id },
        });
        await markWorkflowStartRequestStarted(tx, {
          tenantId: request.tenant_id,
          id: request.id,
          orderId: request.order_id,
          fulfillmentPlanId: request.fulfillment_plan_id,
          processId: request.process_id,
          processInstanceKey: String(processInstanceKey),
        });
        log.info({ ...context, processInstanceKey }, 'fulfillment process started');
        return 'started';
      } catch (error) {
        const retryInMs = Math.min(300_000, (this.options.retryBaseMs ?? 1000) * 2 ** request.attempts);
        const status = await recordWorkflowStartFailure(tx, {
          tenantId: request.tenant_id,
          id: request.id,
          error: (error as Error).message ?? String(error),
          retryInMs,
          maxAttempts: this.options.maxAttempts ?? 10,
        });
        log.warn({ ...context, err: error, attempts: request.attempts + 1, status, retryInMs }, 'fulfillment process start failed');
        return status === 'FAILED' ? 'failed' : 'retry';
      }
    });
  }

  /** One round: up to `batchSize` requests; returns how many were handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    while (handled < this.batchSize && (await this.startNext()) !== undefined) handled += 1;
    return handled;
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    this.loop ??= startPollLoop({
      name: 'start relay',
      round: async () => (await this.runOnce()) === this.batchSize,
      log: this.options.log,
      pollIntervalMs: this.options.pollIntervalMs ?? 500,
      maxBackoffMs: 30_000,
    });
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
