/**
 * The server side of `npm run bench:engine`, run as a child process so the measured side (engine
 * or stub) does not share its event loop with the load generator's SDK clients — as in real use,
 * where workers and the engine are separate processes — and so it can be profiled on its own
 * (BENCH_SERVER_NODE_OPTIONS=--cpu-prof).
 *
 * Usage: `tsx bench-server.ts engine|stub TASKS JOB_TYPE`. Prints one JSON line
 * `{"grpcAddress": "..."}` on stdout when ready; answers each `cpu` line on stdin with a JSON line
 * `{"cpuMs": n, "postgresCpuMs": n}`: the CPU time this process and (engine only) the PostgreSQL
 * backends serving its database have used so far, so the bench can charge each side what its
 * measurement windows cost; stops (and drops its database) when stdin closes.
 * Settings: DATABASE_URL, BENCH_SYNCHRONOUS_COMMIT ("off" = asynchronous PostgreSQL commits).
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database';
import { startGrpcGateway } from '../gateway/grpc-server';
import { startLocalEngine } from '../start-local-engine';
import { StubBackend } from './stub-backend';

async function main(): Promise<void> {
  const [mode, tasksArgument, jobType] = process.argv.slice(2);
  const tasks = Number(tasksArgument);
  if ((mode !== 'engine' && mode !== 'stub') || !Number.isInteger(tasks) || tasks < 1 || !jobType) {
    throw new Error('usage: bench-server engine|stub TASKS JOB_TYPE');
  }
  let stop: () => Promise<void>;
  let grpcAddress: string;
  let postgresCpuMs = async () => 0;
  if (mode === 'engine') {
    const db: TestDatabase = await createTestDatabase('bench');
    postgresCpuMs = () => backendCpuMs(db.url, db.name);
    const local = await startLocalEngine({ databaseUrl: db.url, synchronousCommit: process.env.BENCH_SYNCHRONOUS_COMMIT !== 'off' });
    grpcAddress = local.grpcAddress;
    stop = async () => {
      await local.stop();
      await db.drop();
    };
  } else {
    const stub = await startGrpcGateway(new StubBackend(jobType, tasks), 0);
    grpcAddress = `127.0.0.1:${stub.port}`;
    stop = () => stub.stop();
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // process.exit (not a bare return) so --cpu-prof writes its profile on the way out
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'cpu') return;
    const usage = process.cpuUsage();
    void postgresCpuMs().then((pgMs) => process.stdout.write(`${JSON.stringify({ cpuMs: (usage.user + usage.system) / 1000, postgresCpuMs: pgMs })}\n`));
  });
  process.on('SIGTERM', shutdown);
  process.stdout.write(`${JSON.stringify({ grpcAddress })}\n`);
}

/**
 * CPU time used so far by the PostgreSQL backends connected to `database` (the engine's own: the
 * bench database serves nobody else), read from /proc, as PostgreSQL runs on this machine.
 */
async function backendCpuMs(url: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    let total = 0;
    for (const { pid } of rows) {
      try {
        // fields after the parenthesised command: utime and stime are the 12th and 13th
        const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
      } catch {
        // the backend ended meanwhile
      }
    }
    return total;
  } finally {
    await client.end();
  }
}

/** Linux's USER_HZ, which /proc/<pid>/stat counts in; 100 on every Linux build that Node supports. */
const clockTicksPerSecond = 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
