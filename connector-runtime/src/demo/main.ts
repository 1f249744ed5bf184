/**
 * `npm run demo`, beside a running `npm start`: places the sample broadband bundle order, starts
 * its fulfillment through the OMS command, plays the technician for the on-site installation in
 * Tasklist, and prints every state change of the order, its tasks and its events as they happen,
 * until the order reaches its end state. Exits 0 on COMPLETED, 1 on any other end state or error,
 * 2 after DEMO_TIMEOUT_SECONDS (default 120).
 */
import type pg from 'pg';
import { loadConfig } from '../config';
import { placeValidatedOrder, startFulfillment } from '../commands/start-fulfillment';
import { fulfillmentEndStates } from '../domain/vocabulary';
import { createPool } from '../store/database';
import { sampleBundleOrder } from './sample-order';
import { confirmOnSite, TasklistTechnician } from '../engine/tasklist-client';

const config = loadConfig();
const timeoutSeconds = Number(process.env['DEMO_TIMEOUT_SECONDS'] ?? 120);
const databaseUrl = config.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/fulfillment`;
const restAddress = config.ZEEBE_REST_ADDRESS ?? `http://127.0.0.1:${config.LOCAL_ENGINE_REST_PORT}`;
const runtimeUrl = `http://127.0.0.1:${config.HTTP_PORT}`;
const started = Date.now();

function line(text: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`${seconds}s  ${text}`);
}

async function ready(): Promise<void> {
  let answer: Response;
  try {
    answer = await fetch(`${runtimeUrl}/ready`);
  } catch {
    throw new Error(`no runtime answers at ${runtimeUrl}: start it with \`npm start\` in another terminal first`);
  }
  if (answer.status !== 200) throw new Error(`the runtime at ${runtimeUrl} is not ready yet (${answer.status}): ${await answer.text()}`);
}

async function main(): Promise<number> {
  await ready();
  const pool: pg.Pool = createPool(databaseUrl, { max: 2 });
  try {
    const tenantId = config.SIMULATOR_TENANT;
    const order = sampleBundleOrder(tenantId);
    await placeValidatedOrder(pool, order, { actor: 'demo', externalRef: `DEMO-${order.orderId.slice(0, 8)}` });
    line(`order ${order.orderId} placed for ${tenantId}: ${order.items.map((item) => `${item.action} ${item.productCode}`).join(', ')}`);
    const start = await startFulfillment(pool, { tenantId, orderId: order.orderId, actor: 'demo' });
    line(`fulfillment started: plan ${start.fulfillmentPlanId}, execution ${start.executionId}`);

    const technician = new TasklistTechnician(restAddress);
    const seenEvents = new Set<string>();
    const taskStatus = new Map<string, string>();
    let orderStatus = '';
    const deadline = started + timeoutSeconds * 1000;
    /** One look at the order: prints what changed, plays the technician; the exit code once it ended. */
    const step = async (): Promise<number | undefined> => {
      const events = await pool.query<{ event_id: string; event_type: string; aggregate_type: string; payload: { taskType?: string; status?: string } }>(
        `select event_id, event_type, aggregate_type, payload from outbox where tenant_id = $1 and correlation_id = $2 order by id`,
        [tenantId, order.orderId],
      );
      for (const event of events.rows) {
        if (seenEvents.has(event.event_id)) continue;
        seenEvents.add(event.event_id);
        if (event.event_type === 'FulfillmentTaskReady') continue;
        line(`event  ${event.event_type}${event.payload.taskType ? ` ${event.payload.taskType}` : ''}${event.payload.status ? ` -> ${event.payload.status}` : ''}`);
      }
      const tasks = await pool.query<{ id: string; sequence: number; task_type: string; status: string }>(
        `select id, sequence, task_type, status from fulfillment_task where tenant_id = $1 and order_id = $2 order by sequence`,
        [tenantId, order.orderId],
      );
      for (const task of tasks.rows) {
        if (taskStatus.get(task.id) !== task.status) {
          taskStatus.set(task.id, task.status);
          line(`task   #${String(task.sequence).padStart(2)} ${task.task_type.padEnd(34)} ${task.status}`);
        }
      }
      const current = (await pool.query<{ status: string }>(`select status from customer_order where tenant_id = $1 and id = $2`, [tenantId, order.orderId])).rows[0]!.status;
      if (current !== orderStatus) {
        orderStatus = current;
        line(`order  ${current}`);
      }
      if ((fulfillmentEndStates as readonly string[]).includes(current)) {
        line(current === 'COMPLETED' ? 'the order is fulfilled.' : `the order ended ${current}.`);
        return current === 'COMPLETED' ? 0 : 1;
      }
      const ref = (await pool.query<{ process_instance_key: string }>(`select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2`, [tenantId, order.orderId])).rows[0];
      if (ref) {
        // The technician confirms manual fulfillment tasks; a fallout repair decision stays with operations.
        for (const userTask of (await technician.openTasks(ref.process_instance_key)).filter((task) => /_Manual_/.test(task.elementId))) {
          await technician.complete(userTask.userTaskKey, confirmOnSite);
          line(`tasklist: technician completed "${userTask.name}" (${confirmOnSite.decision})`);
        }
      }
      return undefined;
    };
    let unreachable = false;
    while (Date.now() < deadline) {
      try {
        const code = await step();
        if (code !== undefined) return code;
        if (unreachable) line('the runtime answers again');
        unreachable = false;
      } catch (error) {
        // A runtime restarting (or its database) is waited for, not a reason to give up on the order.
        if (!unreachable) line(`runtime not reachable (${(error as Error).message}); waiting for it`);
        unreachable = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    line(`timed out after ${timeoutSeconds} s with the order ${orderStatus}`);
    return 2;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
