/**
 * The server side of `npm run bench:engine`, run as a child process so the measured side (engine
 * or stub) does not share its event loop with the load generator's SDK clients — as in real use,
 * where workers and the engine are separate processes — and so it can be profiled on its own
 * (BENCH_SERVER_NODE_OPTIONS=--cpu-prof).
 *
 * Usage: `tsx bench-server.ts engine|stub TASKS JOB_TYPE`. Prints one JSON line
 * `{"grpcAddress": "..."}` on stdout when ready; stops (and drops its database) when stdin closes.
 * Settings: DATABASE_URL, BENCH_SYNCHRONOUS_COMMIT ("off" = asynchronous PostgreSQL commits).
 */
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
  if (mode === 'engine') {
    const db: TestDatabase = await createTestDatabase('bench');
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
  process.stdin.resume();
  process.on('SIGTERM', shutdown);
  process.stdout.write(`${JSON.stringify({ grpcAddress })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
