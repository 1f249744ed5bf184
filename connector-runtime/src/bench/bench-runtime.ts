/**
 * `npm run bench:runtime`: the connector runtime against raw baselines measured in the same run,
 * on this machine, each in rounds that alternate subject and baseline (a shared machine's speed
 * drifts from minute to minute; a baseline measured minutes apart would make the ratio drift too).
 * Progress goes to stderr; the result is one JSON document on stdout. Each figure is
 * `{measured, baseline, ratio, target, met}`.
 *
 * (a) `execute-fulfillment-task` jobs/s through the SDK worker, the local engine and PostgreSQL
 *     ÷ the same SQL statements sent raw through a pg pool at the same concurrency (≥ 0.75);
 * (b) signed callbacks ingested/s ÷ a bare express handler doing one INSERT (≥ 0.9), with p99
 *     latency of both at 50 connections;
 * (c) outbox events/s to Kafka through the relay ÷ raw kafkajs sends of the same batches (≥ 0.85);
 * (d) bundle orders completed/s end to end with 100k stored orders ÷ with 1k (≥ 0.9: flat): two
 *     runtimes on two databases, loaded side by side over the same windows.
 *
 * Every scenario runs on a database of its own (`fp_bench_*`, dropped at the end) on DATABASE_URL's
 * server (default postgres://postgres@127.0.0.1:5432/postgres); Kafka at KAFKA_BROKERS (default
 * 127.0.0.1:19092) with topics named for this run.
 *
 * Settings: BENCH_SECONDS (per side per round, default 5; (d) counts orders over windows twice
 * as long), BENCH_ROUNDS (default 2), BENCH_SCENARIOS (any of "jobs,callbacks,outbox,orders",
 * default all), BENCH_JOB_CONCURRENCY (default 8), BENCH_JOB_ORDERS (READY tasks copied for (a),
 * default 5000), BENCH_CONNECTIONS (default 50), BENCH_OUTBOX_EVENTS (events per side per round,
 * default 20000), BENCH_ORDER_CONCURRENCY (orders in flight on each side of (d), default 8),
 * BENCH_STORED_ORDERS (the two stored-order counts of (d), default "1000,100000"; copying the
 * 100k orders' ~22M rows takes most of the run's time), BENCH_LOG_LEVEL (the runtimes' pino
 * level, default silent).
 */
import os from 'node:os';
import { createBenchDatabase, dropOpenBenchDatabases, type BenchDatabase } from './bench-database';
import { benchCallbackIngestion } from './callback-ingestion';
import { benchJobThroughput } from './job-throughput';
import { benchOrderThroughput } from './order-throughput';
import { benchOutboxRelay } from './outbox-throughput';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const seconds = number('BENCH_SECONDS', 5);
const rounds = Math.round(number('BENCH_ROUNDS', 2));
const scenarios = new Set((process.env.BENCH_SCENARIOS ?? 'jobs,callbacks,outbox,orders').split(',').map((s) => s.trim()));
const progress = (line: string) => console.error(`bench: ${line}`);

/** Runs `work` on a fresh bench database and drops it afterwards, whatever happens. */
async function onDatabase<T>(purpose: string, work: (database: BenchDatabase) => Promise<T>): Promise<T> {
  const database = await createBenchDatabase(purpose);
  try {
    return await work(database);
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  // The SDK logs some events to stdout whatever its log level; keep stdout for the JSON result.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const started = Date.now();
  const result: Record<string, unknown> = {};
  if (scenarios.has('jobs')) {
    progress('(a) execute-fulfillment-task jobs');
    result['jobs'] = await onDatabase('jobs', (database) =>
      benchJobThroughput({ databaseUrl: database.url, seconds, rounds, concurrency: number('BENCH_JOB_CONCURRENCY', 8), orders: number('BENCH_JOB_ORDERS', 5000), progress }),
    );
  }
  if (scenarios.has('callbacks')) {
    progress('(b) signed callback ingestion');
    result['callbacks'] = await onDatabase('callbacks', (database) => benchCallbackIngestion({ databaseUrl: database.url, seconds, rounds, connections: number('BENCH_CONNECTIONS', 50), progress }));
  }
  if (scenarios.has('outbox')) {
    progress('(c) outbox relay to Kafka');
    result['outbox'] = await onDatabase('outbox', (database) =>
      benchOutboxRelay({ databaseUrl: database.url, brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','), rounds, events: number('BENCH_OUTBOX_EVENTS', 20000), progress }),
    );
  }
  if (scenarios.has('orders')) {
    progress('(d) bundle orders end to end');
    const stored = (process.env.BENCH_STORED_ORDERS ?? '1000,100000').split(',').map(Number) as [number, number];
    result['orders'] = await onDatabase('orders_small', (small) =>
      onDatabase('orders_large', (large) =>
        benchOrderThroughput({ databaseUrls: [small.url, large.url], seconds, rounds, concurrency: number('BENCH_ORDER_CONCURRENCY', 8), stored, progress }),
      ),
    );
  }
  process.stdout.write = stdoutWrite;
  console.log(
    JSON.stringify(
      {
        machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100) },
        secondsPerSidePerRound: seconds,
        rounds,
        totalSeconds: Math.round((Date.now() - started) / 1000),
        ...result,
      },
      null,
      2,
    ),
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}: dropping the bench databases`);
    // Connections of the dropped databases end under the pools' feet: nothing to report then.
    process.on('uncaughtException', () => undefined);
    void dropOpenBenchDatabases().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
