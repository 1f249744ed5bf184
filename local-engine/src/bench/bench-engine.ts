/**
 * `npm run bench:engine`: throughput (completed process instances/s) and create-to-completion
 * latency (p50/p99) of a one-task and a ten-task process, driven by `@camunda8/sdk` clients on
 * loopback (CreateProcessInstanceWithResult + a streaming job worker), against the local engine
 * on PostgreSQL and, in the same run, against the same gRPC layer with a stub behind it that
 * hands out as many jobs per instance as the process has tasks. The measured side runs in a child
 * process (bench-server.ts), so it does not share an event loop with the SDK clients; the job
 * worker runs in another (bench-worker.ts), apart from the client that creates and times. Loads:
 * closed loops at two concurrencies, then an open loop (fixed arrival rate, independent of
 * answers; latency counted from each instance's due time) at half of the engine's maximum
 * measured in the closed loops — the same rate for the stub. Prints one JSON document.
 *
 * Settings: DATABASE_URL (PostgreSQL; default the machine's service), BENCH_SECONDS (per
 * measurement, default 5), BENCH_CONCURRENCY (two numbers, default "4,32"),
 * BENCH_SYNCHRONOUS_COMMIT ("off" measures the engine with asynchronous PostgreSQL commits),
 * BENCH_TASKS (tasks per process, one scenario each, default "1,10"), BENCH_SERVER_NODE_OPTIONS (extra node flags for the measured process, e.g. "--cpu-prof").
 */
import { benchZeebeClient } from './sdk-client';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const jobType = 'bench-work';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '4,32').split(',').map(Number);
const synchronousCommit = process.env.BENCH_SYNCHRONOUS_COMMIT !== 'off';
const taskCounts = (process.env.BENCH_TASKS ?? '1,10').split(',').map(Number);

const serverScript = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
const workerScript = fileURLToPath(new URL('./bench-worker.ts', import.meta.url));

/**
 * Starts a child process running `script` with tsx and waits for its first JSON line on stdout
 * (its other lines go to stderr). Closing its stdin stops it; `stop` waits until it exited.
 */
async function startChild(script: string, args: string[], nodeOptions: string[]): Promise<{ ready: Record<string, unknown>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', import.meta.resolve('tsx'), script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    // other lines (e.g. from --trace-gc in BENCH_SERVER_NODE_OPTIONS) go to stderr
    lines.on('line', (line) => {
      if (line.startsWith('{"')) resolve(JSON.parse(line) as Record<string, unknown>);
      else process.stderr.write(`${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with code ${code} before it was ready`)));
  });
  return {
    ready,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}

/**
 * Starts the measured side (engine or stub) in a child process and returns its gRPC address and
 * a stop function that waits for the child to exit (it drops its database on the way).
 */
async function startServer(mode: 'engine' | 'stub', tasks: number): Promise<{ grpcAddress: string; stop(): Promise<void> }> {
  const nodeOptions = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const server = await startChild(serverScript, [mode, String(tasks), jobType], nodeOptions);
  return { grpcAddress: server.ready.grpcAddress as string, stop: () => server.stop() };
}

function processXml(tasks: number): string {
  const ids = Array.from({ length: tasks }, (_, i) => `task${i + 1}`);
  const chain = ['start', ...ids, 'end'];
  const flows = chain.slice(1).map((target, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${chain[i]}" targetRef="${target}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="bench">
  <bpmn:process id="bench-${tasks}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    ${ids.map((id) => `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${jobType}"/></bpmn:extensionElements></bpmn:serviceTask>`).join('\n    ')}
    <bpmn:endEvent id="end"/>
    ${flows.join('\n    ')}
  </bpmn:process>
</bpmn:definitions>`;
}

/** One measurement. */
interface Figures {
  completed: number;
  instancesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function figures(latencies: number[], elapsedMs: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { completed: latencies.length, instancesPerSecond: round((latencies.length / elapsedMs) * 1000), p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
}

type Zeebe = ReturnType<typeof benchZeebeClient>;

async function createOne(zeebe: Zeebe, bpmnProcessId: string): Promise<number> {
  const started = performance.now();
  await zeebe.createProcessInstanceWithResult({ bpmnProcessId, variables: {}, requestTimeout: 60_000 });
  return performance.now() - started;
}

async function closedLoop(zeebe: Zeebe, bpmnProcessId: string, concurrency: number, durationMs: number): Promise<Figures> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) latencies.push(await createOne(zeebe, bpmnProcessId));
    }),
  );
  return figures(latencies, performance.now() - started);
}

/**
 * Open loop: instance i is due at `start + i / rate`, whether or not earlier ones have answered.
 * Its latency counts from that due moment, not from when the generator got round to sending it,
 * so a stalled client (event loop, GC) shows in the figures instead of silently thinning the load
 * (coordinated omission). When the generator wakes late it sends everything already due at once.
 */
async function openLoop(zeebe: Zeebe, bpmnProcessId: string, ratePerSecond: number, durationMs: number): Promise<Figures> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const interval = 1000 / Math.max(1, ratePerSecond);
  const count = Math.max(1, Math.floor(durationMs / interval));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      zeebe.createProcessInstanceWithResult({ bpmnProcessId, variables: {}, requestTimeout: 60_000 }).then(() => void latencies.push(performance.now() - due)),
    );
  }
  await Promise.all(pending);
  return figures(latencies, performance.now() - started);
}

/**
 * Closed loops at each concurrency, then the open loop at `openLoopRate` instances/s (or, when
 * undefined, at half of the maximum just measured). Returns the figures and the open-loop rate.
 */
async function measure(grpcAddress: string, tasks: number, openLoopRate?: number): Promise<{ figures: Record<string, Figures>; openLoopRate: number }> {
  const zeebe = benchZeebeClient(grpcAddress);
  const bpmnProcessId = `bench-${tasks}`;
  await zeebe.deployResource({ process: Buffer.from(processXml(tasks)), name: `${bpmnProcessId}.bpmn` });
  const worker = await startChild(workerScript, [grpcAddress, jobType], []);
  try {
    await closedLoop(zeebe, bpmnProcessId, 4, 1000); // warm-up
    const result: Record<string, Figures> = {};
    let max = 0;
    for (const c of concurrencies) {
      const f = await closedLoop(zeebe, bpmnProcessId, c, seconds * 1000);
      result[`closed-loop-concurrency-${c}`] = f;
      max = Math.max(max, f.instancesPerSecond);
    }
    const rate = openLoopRate ?? Math.round(max / 2);
    result['open-loop-half-max'] = await openLoop(zeebe, bpmnProcessId, rate, seconds * 1000);
    return { figures: result, openLoopRate: rate };
  } finally {
    await worker.stop();
    await zeebe.close();
  }
}

function ratios(engine: Figures, baseline: Figures) {
  const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return { throughput: r(engine.instancesPerSecond, baseline.instancesPerSecond), p50: r(engine.p50Ms, baseline.p50Ms), p99: r(engine.p99Ms, baseline.p99Ms) };
}

async function main(): Promise<void> {
  // The SDK logs some events to stdout whatever its log level; keep stdout for the JSON result.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const scenarios = [];
  for (const tasks of taskCounts) {
    const measured: Record<'engine' | 'stub', Record<string, Figures>> = { engine: {}, stub: {} };
    // The engine goes first: its half-max rate is the open-loop load for both sides, so the
    // baseline's open-loop figures answer "what does the same load cost without the engine".
    let openLoopRate: number | undefined;
    for (const mode of ['engine', 'stub'] as const) {
      const server = await startServer(mode, tasks);
      try {
        const run = await measure(server.grpcAddress, tasks, openLoopRate);
        measured[mode] = run.figures;
        openLoopRate = run.openLoopRate;
      } finally {
        await server.stop();
      }
    }
    const { engine, stub: baseline } = measured;
    const loads = Object.keys(engine).map((load) => ({
      load,
      engine: engine[load]!,
      baseline: baseline[load]!,
      ratio: ratios(engine[load]!, baseline[load]!),
    }));
    const half = engine['open-loop-half-max']!;
    // Throughput ratios of the closed loops only: in the open loop both sides get the same fixed
    // rate, so its throughput ratio is 1 by construction and says nothing.
    const best = Math.max(...loads.filter((l) => l.load.startsWith('closed-loop')).map((l) => l.ratio.throughput).filter((x) => Number.isFinite(x)));
    scenarios.push({
      process: tasks === 1 ? 'one-task' : 'ten-task',
      tasks,
      openLoopInstancesPerSecond: openLoopRate,
      loads,
      targets: { throughputRatioAtLeast0_6: best >= 0.6, p99AtHalfMaxLoadAtMost20ms: half.p99Ms <= 20 },
    });
  }
  process.stdout.write = stdoutWrite;
  console.log(
    JSON.stringify(
      {
        machine: { cpus: os.cpus().length, node: process.version },
        secondsPerMeasurement: seconds,
        synchronousCommit,
        baseline: 'same SDK load against the same gRPC layer with a stub behind it (as many jobs per instance as the process has tasks, no interpreter, no persistence); its open loop runs at the engine\'s half-max rate',
        openLoop: 'fixed arrival rate; latency counted from each instance\'s due time (coordinated-omission corrected)',
        scenarios,
      },
      null,
      2,
    ),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
