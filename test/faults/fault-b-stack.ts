/**
 * The production-shaped stack of the infrastructure fault tests: the local engine as a process of
 * its own (as Zeebe would be), the runtime as another (`npm start`), killed and restarted on the
 * same HTTP port so clients find it again, and the §30 invariant read from outside both.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { partnerSystems } from '../../connector-runtime/src/adapters/partner-adapter';
import { PartnerSimulator } from '../../connector-runtime/src/adapters/partner-simulator';
import { externalSystems } from '../../connector-runtime/src/domain/vocabulary';
import { freePort, startRuntimeProcess, type ProcessHandle } from '../helpers/runtime-process';
import { fulfillmentInvariantViolations, readInvariantState } from '../process/fulfillment-invariant';
import type { RuntimeHarness } from '../process/runtime-harness';
import type { FaultTenant } from './fault-b-orders';

/** A runtime process that a test kills and starts again with the same settings. */
export interface RestartableRuntime {
  /** The settings of every start (FAULT_POINTS only where a start adds it). */
  env: Record<string, string>;
  /** The running process (the last one started). */
  current(): ProcessHandle & { httpUrl: string };
  /** Its HTTP address; the same for every start. */
  httpUrl: string;
  /** Starts a runtime (the previous one must have exited); `extraEnv` for this start only. */
  start(extraEnv?: Record<string, string>): Promise<ProcessHandle & { httpUrl: string }>;
  /** Everything every start printed, oldest first. */
  output(): string;
}

/** Partner systems that outlive the runtime: their settings for it, and how to stop them. */
export interface OutsidePartners {
  /** PARTNER_URLS and CALLBACK_ADAPTERS pointing the runtime at them. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The partner simulators in the test's process instead of the runtime's: a killed runtime takes
 * no partner (and no pending callback) with it, as with real partners, and callbacks are retried
 * the way webhook senders do, long enough (about 4 minutes) to reach a runtime that is restarting.
 */
export async function outsidePartners(options: { callbackBaseUrl: string; tenantId: string; callbackDelayMs: number }): Promise<OutsidePartners> {
  const simulator = new PartnerSimulator({
    callbackBaseUrl: options.callbackBaseUrl,
    defaults: { callbackDelayMs: options.callbackDelayMs },
    callbackRetry: { initialDelayMs: 500, maxAttempts: 10 },
  });
  const { url } = await simulator.start();
  return {
    env: {
      PARTNER_URLS: JSON.stringify(Object.fromEntries(partnerSystems.map((system) => [system, url]))),
      CALLBACK_ADAPTERS: JSON.stringify(Object.fromEntries(externalSystems.map((system) => [system, { tenantId: options.tenantId, secrets: [simulator.secretOf(system)] }]))),
    },
    close: () => simulator.close(),
  };
}

/** Settings of a runtime on `databaseUrl` against a separate engine, publishing under a topic prefix of its own. */
export async function restartableRuntime(options: {
  databaseUrl: string;
  engine: { grpcAddress: string; restAddress: string };
  kafkaBrokers: string;
  tenant: FaultTenant;
  env?: Record<string, string>;
}): Promise<RestartableRuntime & { topicPrefix: string; partners: OutsidePartners }> {
  const httpPort = await freePort();
  const partners = await outsidePartners({ callbackBaseUrl: `http://127.0.0.1:${httpPort}`, tenantId: options.tenant.tenantId, callbackDelayMs: options.tenant.callbackDelayMs });
  const topicPrefix = `fault-${randomUUID().slice(0, 8)}.`;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    ZEEBE_GRPC_ADDRESS: options.engine.grpcAddress,
    ZEEBE_REST_ADDRESS: options.engine.restAddress,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    KAFKA_BROKERS: options.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    HTTP_PORT: String(httpPort),
    // A killed runtime's jobs go back to the engine after this, not after the default 5 minutes.
    JOB_TIMEOUT_MS: '20000',
    ...options.tenant.env,
    ...partners.env,
    ...options.env,
  };
  let current: (ProcessHandle & { httpUrl: string }) | undefined;
  const outputs: (() => string)[] = [];
  return {
    env,
    topicPrefix,
    partners,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    current() {
      if (!current) throw new Error('no runtime started yet');
      return current;
    },
    async start(extraEnv = {}) {
      // A port of a runtime just killed may linger for a moment: retry the start a few times.
      let lastError: unknown;
      for (let tries = 0; tries < 5; tries += 1) {
        try {
          current = await startRuntimeProcess({ ...env, ...extraEnv }, 240_000);
          outputs.push(current.output);
          return current;
        } catch (error) {
          lastError = error;
          if (!/port|EADDRINUSE/i.test((error as Error).message)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
      throw lastError;
    },
    output: () => outputs.map((output) => output()).join('\n--- restart ---\n'),
  };
}

/**
 * Checks the §30 invariant of each order from outside the runtime process: the invariant reads the
 * OMS tables, the write trace ({@link installWriteTrace} must have been installed before the orders
 * were placed) and the engine's REST API, which is all of the harness it uses.
 */
export async function expectInvariantOutside(options: { databaseUrl: string; engineRestAddress: string; tenantId: string; orderIds: readonly string[] }): Promise<void> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  try {
    const host = {
      runtime: { pool },
      tenantId: options.tenantId,
      async until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = await probe();
          if (value !== undefined) return value;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async engineRest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
        const response = await fetch(`${options.engineRestAddress}/v2${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        if (!response.ok) throw new Error(`engine ${method} ${path} answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as T;
      },
      async processInstanceKey(orderId: string) {
        return (await pool.query<{ process_instance_key: string }>('select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2', [options.tenantId, orderId])).rows[0]?.process_instance_key;
      },
    };
    // The invariant reads only these members of a harness; the rest belongs to the in-process runtime.
    const harness = host as unknown as RuntimeHarness;
    for (const orderId of options.orderIds) {
      const state = await readInvariantState(harness, orderId);
      expect(fulfillmentInvariantViolations(state), `the §30 invariant of order ${orderId} (${state.orderStatus})`).toEqual([]);
    }
  } finally {
    await pool.end();
  }
}
