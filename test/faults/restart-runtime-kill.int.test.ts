/**
 * Fault: the runtime process is killed (SIGKILL: no shutdown hook, open transactions rolled back,
 * its in-process partner simulators' pending callbacks gone) while orders are in the middle of
 * their tasks, and started again. The engine runs as a process of its own, as Zeebe would, so it
 * keeps the process instances and hands the killed runtime's jobs out again after their timeout.
 *
 * Given a separate engine and a runtime working on orders,
 * when the runtime is killed with tasks in progress and started again,
 * then every order completes, no effect happens twice, and the §30 invariant holds for each.
 */
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { killAllProcesses, startEngineProcess } from '../helpers/runtime-process';
import { installWriteTrace } from '../process/runtime-harness';
import { duplicatedEffects, faultTenant, placeOrders, waitFor, waitForEndStates } from './fault-b-orders';
import { expectInvariantOutside, restartableRuntime } from './fault-b-stack';
import { reportFault } from './fault-report';

const orderCount = 12;
let db: TestDatabase | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await killAllProcesses();
  for (const cleanup of cleanups) await cleanup();
  await db?.drop();
});

describe('fault: the runtime killed mid-order', () => {
  it('given orders with tasks in progress, when the runtime is SIGKILLed and restarted, then every order completes once and the invariant holds', async () => {
    const started = Date.now();
    db = await createTestDatabase('fault_runtime_kill');
    const engine = await startEngineProcess({ databaseUrl: db.url });
    // Partners that take a while to call back, so the kill finds orders waiting on them too.
    const tenant = faultTenant(2_000);
    const runtime = await restartableRuntime({ databaseUrl: db.url, engine, kafkaBrokers: inject('kafkaBrokers'), tenant });
    cleanups.push(() => runtime.partners.close());
    const first = await runtime.start();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      // The runtime has migrated the schema; the invariant needs the write trace from the first order on.
      await installWriteTrace(pool);
      const placed = await placeOrders({ baseUrl: () => runtime.httpUrl, token: tenant.token, count: orderCount, timeoutMs: 300_000 });

      // Mid-order: a partner has taken a request and not called back yet (the callback dies with the
      // runtime's simulator), other tasks are done, and orders are still open.
      const atKill = await waitFor(
        'a task waiting for its partner',
        async () => {
          const rows = await pool.query<{ in_progress: number; waiting: number; completed_tasks: number; open_orders: number }>(
            `select (select count(*)::int from fulfillment_task where tenant_id = $1 and status = 'IN_PROGRESS') as in_progress,
                    (select count(*)::int from fulfillment_task where tenant_id = $1 and status = 'WAITING') as waiting,
                    (select count(*)::int from fulfillment_task where tenant_id = $1 and status = 'COMPLETED') as completed_tasks,
                    (select count(*)::int from customer_order where tenant_id = $1 and status not in ('COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED')) as open_orders`,
            [tenant.tenantId],
          );
          const row = rows.rows[0]!;
          return row.waiting > 0 && row.completed_tasks > 0 && row.open_orders > 0 ? row : undefined;
        },
        120_000,
        100,
      );
      await first.kill('SIGKILL');
      const killedAt = Date.now();
      await runtime.start();

      const statuses = await waitForEndStates(db.url, tenant.tenantId, placed.orderIds, 600_000);
      const recoverySeconds = Math.round((Date.now() - killedAt) / 1000);
      const completed = [...statuses.values()].filter((status) => status === 'COMPLETED').length;
      const duplicated = await duplicatedEffects(db.url, tenant.tenantId);

      reportFault({
        fault: 'runtime SIGKILLed mid-order, restarted (separate engine)',
        orders: placed.orderIds.length,
        completed,
        lost: placed.orderIds.length - completed,
        duplicated: duplicated.total,
        note: `killed with ${atKill.in_progress} tasks in progress, ${atKill.waiting} waiting for a callback, ${atKill.completed_tasks} done, ${atKill.open_orders} orders open; all done ${recoverySeconds} s after the kill; ${Math.round((Date.now() - started) / 1000)} s`,
      });

      expect(completed).toBe(orderCount);
      expect(duplicated).toEqual({ tasks: 0, assetVersions: 0, completionEvents: 0, total: 0 });
      await expectInvariantOutside({ databaseUrl: db.url, engineRestAddress: engine.restAddress, tenantId: tenant.tenantId, orderIds: placed.orderIds });
    } finally {
      await pool.end();
    }
  }, 1_500_000);
});
