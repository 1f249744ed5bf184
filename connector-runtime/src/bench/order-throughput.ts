/**
 * Figure (d): broadband bundle orders completed per second end to end — placed and started
 * through the domain commands, the order-fulfillment-v1 model on the local engine, every job
 * answered by the real handlers, partners played by the in-process simulators with zero latency
 * and immediate signed callbacks through the HTTP route, the on-site installation completed
 * through the engine's user task API as a technician would — on a runtime with 1k orders stored
 * and, side by side over the same windows, another with 100k. Each history is a completed bundle
 * order of its runtime copied with SQL (clone-orders.ts): its items, plan, tasks, attempts,
 * partner calls, callbacks, evidence, installed base, audit trail and published outbox events.
 * Flat means the 100k figure is within 10 % of the 1k figure.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pino } from 'pino';
import { placeValidatedOrder, startFulfillment } from '../commands/start-fulfillment';
import { loadConfig } from '../config';
import { sampleBundleOrder } from '../demo/sample-order';
import { confirmOnSite } from '../engine/tasklist-client';
import { startRuntime, type Runtime } from '../runtime';
import { cloneOrder } from './clone-orders';
import { figure, perSecond, round2 } from './stats';

/** Settings of the scenario. */
export interface OrderBenchOptions {
  /** The databases of the two sides, in the order of `stored`. */
  databaseUrls: [string, string];
  seconds: number;
  rounds: number;
  /** Orders in flight at once. */
  concurrency: number;
  /** The two stored-order counts measured, e.g. [1000, 100000]. */
  stored: [number, number];
  progress(line: string): void;
}

const endStates = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'];

/**
 * Plays the technician and watches orders: every 50 ms it completes the open manual user tasks
 * and reads the status of the orders in flight, resolving each order's wait when it ends.
 */
class OrderWatcher {
  private readonly waiting = new Map<string, (status: string) => void>();
  private readonly confirmed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly tenantId: string,
    private readonly restAddress: string,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        await this.round();
      } catch (error) {
        console.error(`bench: order watcher: ${(error as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), 50);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Resolves with the order's end state. */
  ended(orderId: string): Promise<string> {
    return new Promise((resolve) => this.waiting.set(orderId, resolve));
  }

  private async round(): Promise<void> {
    if (this.waiting.size === 0) return;
    const response = await fetch(`${this.restAddress}/v2/user-tasks/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { state: 'CREATED' }, page: { limit: 1000 } }),
    });
    const open = ((await response.json()) as { items?: { userTaskKey: string; elementId: string }[] }).items ?? [];
    await Promise.all(
      open
        .filter((task) => /_Manual_/.test(task.elementId) && !this.confirmed.has(task.userTaskKey))
        .map(async (task) => {
          this.confirmed.add(task.userTaskKey);
          const done = await fetch(`${this.restAddress}/v2/user-tasks/${task.userTaskKey}/completion`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ variables: confirmOnSite }),
          });
          if (!done.ok) this.confirmed.delete(task.userTaskKey);
        }),
    );
    const rows = await this.pool.query<{ id: string; status: string }>(`select id, status from customer_order where tenant_id = $1 and id = any($2::uuid[])`, [this.tenantId, [...this.waiting.keys()]]);
    for (const row of rows.rows) {
      if (!endStates.includes(row.status)) continue;
      this.waiting.get(row.id)?.(row.status);
      this.waiting.delete(row.id);
    }
  }
}

/** One bundle order from placement to its end state. */
async function runOrder(pool: pg.Pool, watcher: OrderWatcher, tenantId: string): Promise<{ orderId: string; status: string }> {
  const order = sampleBundleOrder(tenantId);
  const ended = watcher.ended(order.orderId);
  await placeValidatedOrder(pool, order, { actor: 'bench' });
  await startFulfillment(pool, { tenantId, orderId: order.orderId, actor: 'bench' });
  return { orderId: order.orderId, status: await ended };
}

/**
 * Keeps `concurrency` orders in flight (each finished order is followed by a new one) and notes
 * when each ends, so a window counts the orders that ended in it at steady state.
 */
class OrderLoad {
  readonly ends: { at: number; status: string }[] = [];
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(pool: pg.Pool, watcher: OrderWatcher, tenantId: string, concurrency: number) {
    this.running = Promise.all(
      Array.from({ length: concurrency }, async (_, slot) => {
        // Staggered starts: orders started together move in step and end in bursts, which a
        // window then counts whole or not at all.
        await new Promise((resolve) => setTimeout(resolve, slot * 250));
        while (!this.stopped) {
          const { status } = await runOrder(pool, watcher, tenantId);
          this.ends.push({ at: performance.now(), status });
        }
      }),
    ).then(() => undefined);
  }

  /** Waits until `count` orders have ended. */
  async untilEnded(count: number): Promise<void> {
    while (this.ends.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The orders that ended between `from` and `to` (performance.now() times). */
  count(from: number, to: number): { completed: number; otherEnds: number; elapsedMs: number } {
    const inWindow = this.ends.filter((end) => end.at >= from && end.at < to);
    const completed = inWindow.filter((end) => end.status === 'COMPLETED').length;
    return { completed, otherEnds: inWindow.length - completed, elapsedMs: to - from };
  }

  /** Starts no new order and waits for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

async function storedOrders(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('select count(*) as n from customer_order')).rows[0]!.n);
}

/** One side: a runtime on a database of its own, with its stored history. */
interface Side {
  runtime: Runtime;
  watcher: OrderWatcher;
  tenantId: string;
  stored: number;
  rowsPerOrder: number;
}

/** Starts a runtime on `databaseUrl`, completes one bundle order and copies it until `target` orders are stored. */
async function startSide(databaseUrl: string, target: number, progress: (line: string) => void): Promise<Side> {
  const tenantId = `tenant-bench-${randomUUID().slice(0, 8)}`;
  const runtime = await startRuntime(
    loadConfig({
      DATABASE_URL: databaseUrl,
      HTTP_PORT: '0',
      LOCAL_ENGINE_GRPC_PORT: '0',
      LOCAL_ENGINE_REST_PORT: '0',
      SIMULATOR_TENANT: tenantId,
      SIMULATOR_CALLBACK_DELAY_MS: '0',
      LOG_LEVEL: 'silent',
    }),
    pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }, process.stderr),
  );
  const watcher = new OrderWatcher(runtime.pool, tenantId, runtime.camunda.restAddress!);
  watcher.start();
  try {
    const first = await runOrder(runtime.pool, watcher, tenantId);
    if (first.status !== 'COMPLETED') throw new Error(`the first bundle order ended ${first.status}`);
    const missing = target - (await storedOrders(runtime.pool));
    let rowsPerOrder = 0;
    if (missing > 0) {
      const started = performance.now();
      progress(`orders: copying ${missing} completed orders to reach ${target} stored`);
      let reported = 0;
      ({ rowsPerOrder } = await cloneOrder(runtime.pool, { tenantId, orderId: first.orderId }, missing, {
        parallel: 2,
        batchSize: 1000,
        rebuildIndexes: missing >= 20_000,
        progress: (copied) => {
          if (copied - reported >= 20_000) progress(`orders: ${(reported = copied)} copied`);
        },
      }));
      await runtime.pool.query('vacuum analyze');
      progress(`orders: copied in ${Math.round((performance.now() - started) / 1000)} s (${rowsPerOrder} rows per order)`);
    }
    return { runtime, watcher, tenantId, stored: await storedOrders(runtime.pool), rowsPerOrder };
  } catch (error) {
    watcher.stop();
    await runtime.stop();
    throw error;
  }
}

/**
 * Runs the scenario and returns its figure. The two stored-order counts are two runtimes on two
 * databases, loaded at the same time with the same number of orders in flight and counted over
 * the same windows: on a shared machine whose speed drifts from minute to minute, figures taken
 * minutes apart (before and after copying 100k orders) would measure the drift.
 */
export async function benchOrderThroughput(options: OrderBenchOptions) {
  const sides: Side[] = [];
  try {
    for (const [i, url] of options.databaseUrls.entries()) sides.push(await startSide(url, options.stored[i]!, options.progress));
    options.progress(`orders: warm-up, ${options.concurrency} orders in flight on each side`);
    const loads = sides.map((side) => new OrderLoad(side.runtime.pool, side.watcher, side.tenantId, options.concurrency));
    // Steady state: every slot of each side has finished an order.
    await Promise.all(loads.map((load) => load.untilEnded(options.concurrency)));
    const rounds: { completed: number; otherEnds: number; elapsedMs: number }[][] = sides.map(() => []);
    for (let round = 0; round < options.rounds; round += 1) {
      // A bundle order takes seconds end to end: windows twice as long count enough of them.
      const from = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2 * options.seconds * 1000));
      const to = performance.now();
      loads.forEach((load, i) => rounds[i]!.push(load.count(from, to)));
      options.progress(`orders round ${round + 1}: ${sides.map((side, i) => `${perSecond(rounds[i]!.at(-1)!.completed, to - from).toFixed(2)} orders/s with ${side.stored} stored`).join(', ')}`);
    }
    await Promise.all(loads.map((load) => load.stop()));
    const byStored = sides.map((side, i) => {
      const completed = rounds[i]!.reduce((sum, r) => sum + r.completed, 0);
      const elapsedMs = rounds[i]!.reduce((sum, r) => sum + r.elapsedMs, 0);
      return { storedOrders: side.stored, ordersPerSecond: perSecond(completed, elapsedMs), perRound: rounds[i]!.map((r) => round2(perSecond(r.completed, r.elapsedMs))), completed, otherEndStates: rounds[i]!.reduce((sum, r) => sum + r.otherEnds, 0) };
    });
    const [small, large] = byStored as [(typeof byStored)[0], (typeof byStored)[0]];
    return {
      // measured: orders/s with the large history; baseline: orders/s with the small one, same windows.
      ordersPerSecond: figure(large.ordersPerSecond, small.ordersPerSecond, 0.9),
      concurrencyPerSide: options.concurrency,
      rowsPerStoredOrder: Math.max(...sides.map((side) => side.rowsPerOrder)),
      byStoredOrders: byStored.map((side) => ({ ...side, ordersPerSecond: round2(side.ordersPerSecond) })),
    };
  } finally {
    for (const side of sides) {
      side.watcher.stop();
      await side.runtime.stop();
    }
  }
}
