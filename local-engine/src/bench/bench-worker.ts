/**
 * The job worker of `npm run bench:engine`, run as a process of its own (as workers run apart
 * from the application that starts instances), so its garbage collection and event loop do not
 * stall the instance creator that measures the latency, and the client work can use both cores.
 *
 * Usage: `tsx bench-worker.ts GRPC_ADDRESS JOB_TYPE`. Streams jobs of JOB_TYPE and completes each
 * at once; prints one JSON line `{"worker":"ready"}` on stdout once the stream is open; stops
 * when stdin closes.
 */
import { benchZeebeClient } from './sdk-client';

async function main(): Promise<void> {
  const [grpcAddress, jobType] = process.argv.slice(2);
  if (!grpcAddress || !jobType) throw new Error('usage: bench-worker GRPC_ADDRESS JOB_TYPE');
  // The SDK logs some events to stdout whatever its log level; stdout carries the ready line only.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const zeebe = benchZeebeClient(grpcAddress);
  await zeebe.streamJobs({ type: jobType, worker: 'bench', timeout: 30_000, tenantIds: [], taskHandler: (job) => job.complete() });
  // Exit without closing the stream: the SDK reports a client-side close of a job stream as an
  // error on stderr, which would read like a failed bench; the gateway sees the connection drop.
  const shutdown = () => process.exit(0);
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
  stdoutWrite(`${JSON.stringify({ worker: 'ready' })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
