/**
 * Orders for the infrastructure fault tests (PostgreSQL restart, Kafka outage, relay kill, runtime
 * kill): a tenant with a bearer token, fibre orders placed and started through the order API as a
 * client would (retrying through an outage with the same Idempotency-Key, so a retry never places
 * a second order), and polls of the order table with a deadline.
 *
 * The order is one FIBER-500 ADD: five automated tasks, one of them answered by an asynchronous
 * partner callback, no person involved, so hundreds of them run unattended.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { fibreItem } from '../process/order-items';

/** A tenant of the test with one token holding every role. */
export interface FaultTenant {
  tenantId: string;
  token: string;
  /** How long its asynchronous partners take to call back, in ms. */
  callbackDelayMs: number;
  /** The runtime's environment for it: API_TOKENS. */
  env: Record<string, string>;
}

/** A fresh tenant; its partners call back after `callbackDelayMs` (default 20). */
export function faultTenant(callbackDelayMs = 20): FaultTenant {
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const token = `fault_${randomUUID().replace(/-/g, '')}`;
  return {
    tenantId,
    token,
    callbackDelayMs,
    env: {
      API_TOKENS: JSON.stringify({ [token]: { tenantId, subject: 'fault-test', roles: ['viewer', 'operator', 'technician', 'integration'] } }),
    },
  };
}

/** Waits until `probe` returns a value; fails after `timeoutMs` naming what it waited for (`what` may say what it last saw). */
export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * POSTs a command, retrying network errors and 5xx answers (the runtime or its database is down)
 * with the same Idempotency-Key until `deadline`; `baseUrl()` is asked again before each try, so a
 * restarted runtime is found. A 409 IDEMPOTENCY.IN_PROGRESS is retried too; when it lasts longer
 * than `stuckMs` the key is taken as stuck (a request that failed while the database was down
 * could not release its key; the runtime retries the release in the background, but a runtime
 * that dies first leaves it IN_PROGRESS for the record's lifetime, see
 * http/idempotency/idempotent-command.ts) and the client goes on with a new key, as a client has
 * to. Resolves with the first other answer.
 */
async function postCommand(
  baseUrl: () => string,
  path: string,
  token: string,
  body: unknown,
  deadline: number,
  stuckMs = 20_000,
): Promise<{ status: number; body: Record<string, unknown>; retries: number; abandonedKeys: number }> {
  let key = randomUUID();
  let retries = 0;
  let abandonedKeys = 0;
  let inProgressSince: number | undefined;
  for (;;) {
    let failure: string;
    try {
      const response = await fetch(`${baseUrl()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (response.status === 409 && answer['code'] === 'IDEMPOTENCY.IN_PROGRESS') {
        inProgressSince ??= Date.now();
        if (Date.now() - inProgressSince > stuckMs) {
          key = randomUUID();
          abandonedKeys += 1;
          inProgressSince = undefined;
        }
        failure = `409 ${text.slice(0, 200)}`;
      } else if (response.status < 500) {
        return { status: response.status, body: answer, retries, abandonedKeys };
      } else {
        failure = `${response.status} ${text.slice(0, 200)}`;
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`POST ${path} kept failing until its deadline: ${failure}`);
    retries += 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What placing orders took. */
export interface PlacedOrders {
  orderIds: string[];
  /** Requests that had to be sent again (outage, restart). */
  retries: number;
  /** Idempotency keys left IN_PROGRESS by a failed request, given up for a new one. */
  abandonedKeys: number;
  /** Orders whose creation answer was lost, found again by their externalRef. */
  foundByExternalRef: number;
}

/** The tenant's order carrying `externalRef`, looked up through the order list. */
async function orderIdByExternalRef(baseUrl: string, token: string, externalRef: string): Promise<string | undefined> {
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${baseUrl}/api/v1/orders?${query}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`listing orders answered ${response.status}`);
    const page = (await response.json()) as { items: { orderId: string; externalRef: string | null }[]; nextCursor: string | null };
    const found = page.items.find((item) => item.externalRef === externalRef);
    if (found) return found.orderId;
    cursor = page.nextCursor;
  } while (cursor);
  return undefined;
}

/**
 * Places `count` fibre orders through the API and starts each one's fulfillment, `concurrency`
 * at a time; every request is retried through an outage (see {@link postCommand}).
 */
export async function placeOrders(options: { baseUrl: () => string; token: string; count: number; concurrency?: number; timeoutMs?: number }): Promise<PlacedOrders> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const orderIds: string[] = [];
  let retries = 0;
  let abandonedKeys = 0;
  let foundByExternalRef = 0;
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      next += 1;
      // The client's own reference: when a retry with a new key finds it taken, the first request
      // did create the order, and the client looks it up instead of creating a second one.
      const externalRef = `FAULT-${randomUUID()}`;
      const created = await postCommand(options.baseUrl, '/api/v1/orders', options.token, { externalRef, items: [fibreItem()] }, deadline);
      let orderId: string;
      if (created.status === 201) orderId = String(created.body['orderId']);
      else if (created.body['code'] === 'ORDER.EXTERNAL_REF_TAKEN') {
        const found = await orderIdByExternalRef(options.baseUrl(), options.token, externalRef);
        if (!found) throw new Error(`externalRef ${externalRef} is taken, but no order of the tenant carries it`);
        orderId = found;
        foundByExternalRef += 1;
      } else throw new Error(`creating an order answered ${created.status}: ${JSON.stringify(created.body)}`);
      const started = await postCommand(options.baseUrl, `/api/v1/orders/${orderId}/fulfillment/start`, options.token, {}, deadline);
      if (started.status !== 202) throw new Error(`starting order ${orderId} answered ${started.status}: ${JSON.stringify(started.body)}`);
      orderIds.push(orderId);
      retries += created.retries + started.retries;
      abandonedKeys += created.abandonedKeys + started.abandonedKeys;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { orderIds, retries, abandonedKeys, foundByExternalRef };
}

/** Order statuses of the tenant, counted. */
export async function orderStatusCounts(databaseUrl: string, tenantId: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const rows = await client.query<{ status: string; n: number }>('select status, count(*)::int as n from customer_order where tenant_id = $1 group by status', [tenantId]);
    return Object.fromEntries(rows.rows.map((row) => [row.status, row.n]));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** End states of an order (seed §3). */
const endStates = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'];

/** Waits until every one of `orderIds` is in an end state; resolves with each one's status. */
export async function waitForEndStates(databaseUrl: string, tenantId: string, orderIds: readonly string[], timeoutMs: number): Promise<Map<string, string>> {
  let last = '';
  return waitFor(
    () => `${orderIds.length} orders to reach an end state (last seen: ${last})`,
    async () => {
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        const rows = await client.query<{ id: string; status: string }>('select id, status from customer_order where tenant_id = $1 and id = any($2::uuid[])', [tenantId, orderIds]);
        const statuses = new Map(rows.rows.map((row) => [row.id, row.status]));
        const open = orderIds.filter((id) => !endStates.includes(statuses.get(id) ?? ''));
        last = `${orderIds.length - open.length} done, ${open.length} open`;
        return open.length === 0 ? statuses : undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    timeoutMs,
    1_000,
  );
}

/**
 * Effects of the tenant's orders that happened more than once: a task with more than one
 * SUCCEEDED attempt, an order item with more than one asset version made from it, an order with
 * more than one completion event in the outbox.
 */
export async function duplicatedEffects(databaseUrl: string, tenantId: string): Promise<{ tasks: number; assetVersions: number; completionEvents: number; total: number }> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const count = async (text: string) => (await client.query<{ n: number }>(`select count(*)::int as n from (${text}) as duplicates`, [tenantId])).rows[0]!.n;
    const tasks = await count(`select fulfillment_task_id from fulfillment_task_attempt where tenant_id = $1 and status = 'SUCCEEDED' group by fulfillment_task_id having count(*) > 1`);
    const assetVersions = await count(`select source_order_item_id from asset_version where tenant_id = $1 and source_order_item_id is not null group by source_order_item_id having count(*) > 1`);
    const completionEvents = await count(
      `select aggregate_id from outbox where tenant_id = $1 and aggregate_type = 'Order' and event_type = 'OrderFulfillmentCompleted' group by aggregate_id having count(*) > 1`,
    );
    return { tasks, assetVersions, completionEvents, total: tasks + assetVersions + completionEvents };
  } finally {
    await client.end().catch(() => undefined);
  }
}
