/**
 * Figure (a): `execute-fulfillment-task` jobs per second through the whole path — a process
 * instance of a one-task process created on the local engine, the job streamed to the runtime's
 * SDK worker, answered by the real handler (claim, partner call to the in-process simulator, which
 * answers at once, result, evidence, task transition, audit and outbox rows, routing) and the
 * instance completed — against the same SQL statements sent raw through a `pg` pool of the same
 * size at the same concurrency.
 *
 * The statements are those of one job, recorded through a pool wrapper (query-trace.ts) on a task
 * of the same kind, and each replay does them for another READY task (see query-trace.ts for how
 * ids are swapped; the report counts statements whose row count differed from the recording).
 * Every job and every replay gets a task of its own: the sample bundle order is placed, started
 * and loaded once through the commands and then copied with SQL (clone-orders.ts).
 */
import type pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createPartnerAdapters, PartnerSimulator } from '../adapters';
import { partnerSystems, type PartnerSystem } from '../adapters/partner-adapter';
import { loadConfig } from '../config';
import { adaptJobHandler, type EngineJob } from '../engine/job-adapter';
import { executeFulfillmentTaskHandler } from '../jobs/execute-fulfillment-task/handler';
import { executeFulfillmentTaskContract } from '../jobs/execute-fulfillment-task/schema';
import { createFulfillmentMetrics } from '../observability/metrics';
import { startRuntime, type Runtime } from '../runtime';
import { createPool } from '../store/database';
import { cloneOrder } from './clone-orders';
import { idsByPlace, prepareReadyOrder, type ReadyOrder } from './prepare-orders';
import { recordingPool, replayTrace, type TraceEvent } from './query-trace';
import { figure, perSecond, round2 } from './stats';

/** Settings of the scenario. */
export interface JobBenchOptions {
  databaseUrl: string;
  seconds: number;
  rounds: number;
  concurrency: number;
  /** Orders copied up front: one READY task each, for the jobs and the replays of every round. */
  orders: number;
  progress(line: string): void;
}

const tenantId = 'tenant-bench-jobs';
const bpmnProcessId = 'bench-execute-fulfillment-task';

/** A one-task process: the task is `execute-fulfillment-task` in the VALIDATION phase. */
const processXml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench-defs" targetNamespace="bench">
  <bpmn:process id="${bpmnProcessId}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="execute">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="${executeFulfillmentTaskContract.type}" retries="3"/>
        <zeebe:taskHeaders><zeebe:header key="phase" value="VALIDATION"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="execute"/>
    <bpmn:sequenceFlow id="f2" sourceRef="execute" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;

interface ReadyTask {
  orderId: string;
  fulfillmentPlanId: string;
  taskId: string;
}

async function readyTasks(pool: pg.Pool): Promise<ReadyTask[]> {
  const rows = await pool.query<{ order_id: string; fulfillment_plan_id: string; id: string }>(
    `select order_id, fulfillment_plan_id, id from fulfillment_task where tenant_id = $1 and status = 'READY' and execution_mode = 'AUTOMATED_SYNC' and phase = 'VALIDATION'`,
    [tenantId],
  );
  return rows.rows.map((row) => ({ orderId: row.order_id, fulfillmentPlanId: row.fulfillment_plan_id, taskId: row.id }));
}

/** The in-process partner simulators on a port of their own; they answer at once. */
async function startSimulators(): Promise<{ partners: ReturnType<typeof createPartnerAdapters>; close(): Promise<void> }> {
  const secrets = Object.fromEntries(partnerSystems.map((system) => [system, 'whsec_YmVuY2gtYmVuY2gtYmVuY2gtYmVuY2g='])) as Record<PartnerSystem, string>;
  const simulator = new PartnerSimulator({ callbackBaseUrl: 'http://127.0.0.1:0', secrets, defaults: { callbackDelayMs: 0 } });
  const { url } = await simulator.start();
  return { partners: createPartnerAdapters(url), close: () => simulator.close() };
}

/**
 * Runs the real handler through the job adapter for one job on `task`, without the engine: a fake
 * job that records how it was answered, as the handler tests do.
 */
function directJob(pool: pg.Pool, partners: ReturnType<typeof createPartnerAdapters>): (task: ReadyTask, jobKey?: string) => Promise<void> {
  const handler = executeFulfillmentTaskHandler({ pool, partners, metrics: createFulfillmentMetrics(new Registry()) });
  const answer = adaptJobHandler(executeFulfillmentTaskContract, handler, pino({ level: 'silent' }));
  return async (task, jobKey = String(2251799813685000 + Math.floor(Math.random() * 1e12))) => {
    let completed = false;
    let failure: string | undefined;
    await answer({
      key: jobKey,
      type: executeFulfillmentTaskContract.type,
      retries: 3,
      processInstanceKey: '2251799813685001',
      elementId: 'execute',
      variables: { tenantId, orderId: task.orderId, fulfillmentPlanId: task.fulfillmentPlanId, currentTaskId: task.taskId },
      customHeaders: { phase: 'VALIDATION' },
      complete: async () => {
        completed = true;
      },
      fail: async (failed) => {
        failure = failed.errorMessage;
      },
      error: async () => undefined,
    } satisfies EngineJob);
    if (!completed) throw new Error(`the job on task ${task.taskId} was not completed: ${failure ?? 'no answer'}`);
  };
}

/** Records the statements of one job on the order's READY task, through the real handler and job adapter. */
async function recordOneJob(pool: pg.Pool, order: ReadyOrder, partners: ReturnType<typeof createPartnerAdapters>): Promise<{ trace: TraceEvent[]; jobKey: string }> {
  const trace: TraceEvent[] = [];
  const jobKey = String(2251799813685000 + Math.floor(Math.random() * 1e9));
  await directJob(recordingPool(pool, trace), partners)({ orderId: order.orderId, fulfillmentPlanId: order.fulfillmentPlanId, taskId: order.readyTasks[0]!.taskId }, jobKey);
  return { trace, jobKey };
}

/** Closed loop: `concurrency` loops take the next task and run `one` on it until time is up or tasks run out. */
async function closedLoop(tasks: ReadyTask[], concurrency: number, seconds: number, one: (task: ReadyTask) => Promise<void>): Promise<{ done: number; elapsedMs: number; ranOut: boolean }> {
  let done = 0;
  let ranOut = false;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const task = tasks.pop();
        if (!task) {
          ranOut = true;
          return;
        }
        await one(task);
        done += 1;
      }
    }),
  );
  return { done, elapsedMs: performance.now() - started, ranOut };
}

/** Runs the scenario and returns its figure. */
export async function benchJobThroughput(options: JobBenchOptions) {
  const setupPool = createPool(options.databaseUrl);
  let runtime: Runtime | undefined;
  let simulators: Awaited<ReturnType<typeof startSimulators>> | undefined;
  const baselinePool = createPool(options.databaseUrl);
  const directPool = createPool(options.databaseUrl);
  try {
    const template = await prepareReadyOrder(setupPool, tenantId, 'bench-template');
    const spare = await prepareReadyOrder(setupPool, tenantId, 'bench-recorded');
    options.progress(`jobs: copying ${options.orders} orders with a READY task`);
    await cloneOrder(setupPool, { tenantId, orderId: template.orderId }, options.orders);
    await setupPool.query('analyze');
    simulators = await startSimulators();
    const { trace, jobKey } = await recordOneJob(setupPool, spare, simulators.partners);
    const statements = trace.filter((event) => event.kind === 'query').length;
    options.progress(`jobs: one job runs ${statements} statements`);

    runtime = await startRuntime(
      loadConfig({
        DATABASE_URL: options.databaseUrl,
        HTTP_PORT: '0',
        LOCAL_ENGINE_GRPC_PORT: '0',
        LOCAL_ENGINE_REST_PORT: '0',
        SIMULATOR_TENANT: tenantId,
        SIMULATOR_CALLBACK_DELAY_MS: '0',
        DEPLOY_RESOURCES: 'false',
        LOG_LEVEL: 'silent',
      }),
      pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }, process.stderr),
    );
    const zeebe = runtime.camunda.zeebe;
    await zeebe.deployResource({ process: Buffer.from(processXml), name: `${bpmnProcessId}.bpmn` });
    const tasks = await readyTasks(setupPool);
    const places = await idsByPlace(setupPool, tenantId);
    const recordedPlaces = places.get(spare.orderId)!;
    tasks.sort(() => Math.random() - 0.5);

    const subject = (task: ReadyTask) =>
      zeebe
        .createProcessInstanceWithResult({ bpmnProcessId, variables: { tenantId, orderId: task.orderId, fulfillmentPlanId: task.fulfillmentPlanId, currentTaskId: task.taskId }, requestTimeout: 20_000 })
        .then(() => undefined);
    // Where the gap lies: the same handler and job adapter called directly, without engine and SDK.
    const direct = directJob(directPool, simulators.partners);
    let mismatches = 0;
    let replayed = 0;
    const baseline = async (task: ReadyTask) => {
      const targetPlaces = places.get(task.orderId)!;
      const seed = new Map([...recordedPlaces].map(([place, id]) => [id, targetPlaces.get(place)!]));
      seed.set(jobKey, String(2251799813685000 + Math.floor(Math.random() * 1e12)));
      const result = await replayTrace(baselinePool, trace, seed);
      mismatches += result.rowCountMismatches;
      replayed += result.statements;
    };

    options.progress('jobs: warm-up');
    await closedLoop(tasks, options.concurrency, Math.min(3, options.seconds), subject);
    await closedLoop(tasks, options.concurrency, Math.min(3, options.seconds), baseline);
    await closedLoop(tasks, options.concurrency, Math.min(3, options.seconds), direct);
    mismatches = 0;
    replayed = 0;
    const subjectRounds: { done: number; elapsedMs: number }[] = [];
    const baselineRounds: { done: number; elapsedMs: number }[] = [];
    const directRounds: { done: number; elapsedMs: number }[] = [];
    let ranOut = false;
    for (let round = 0; round < options.rounds; round += 1) {
      const s = await closedLoop(tasks, options.concurrency, options.seconds, subject);
      const b = await closedLoop(tasks, options.concurrency, options.seconds, baseline);
      const d = await closedLoop(tasks, options.concurrency, options.seconds, direct);
      ranOut ||= s.ranOut || b.ranOut || d.ranOut;
      subjectRounds.push(s);
      baselineRounds.push(b);
      directRounds.push(d);
      options.progress(
        `jobs round ${round + 1}: runtime ${perSecond(s.done, s.elapsedMs).toFixed(1)} jobs/s, raw SQL ${perSecond(b.done, b.elapsedMs).toFixed(1)} jobs/s, handler without engine ${perSecond(d.done, d.elapsedMs).toFixed(1)} jobs/s`,
      );
    }
    // Every job and every replay must have completed its own task: the same work on both sides.
    const completed = await setupPool.query<{ n: string }>(`select count(*) as n from fulfillment_task where tenant_id = $1 and phase = 'VALIDATION' and status = 'COMPLETED'`, [tenantId]);
    const rate = (rounds: { done: number; elapsedMs: number }[]) => perSecond(rounds.reduce((sum, r) => sum + r.done, 0), rounds.reduce((sum, r) => sum + r.elapsedMs, 0));
    return {
      jobsPerSecond: figure(rate(subjectRounds), rate(baselineRounds), 0.75),
      concurrency: options.concurrency,
      // Not a target: the real handler and job adapter called directly (partner call included, no
      // engine, no SDK), in the same rounds — the share of the gap that is not the engine's.
      handlerWithoutEnginePerSecond: round2(rate(directRounds)),
      statementsPerJob: statements,
      jobs: { subject: subjectRounds.reduce((sum, r) => sum + r.done, 0), baseline: baselineRounds.reduce((sum, r) => sum + r.done, 0), handlerWithoutEngine: directRounds.reduce((sum, r) => sum + r.done, 0) },
      baselineRowCountMismatches: mismatches,
      baselineStatements: replayed,
      ranOutOfTasks: ranOut,
      tasksCompletedIncludingWarmUp: Number(completed.rows[0]!.n),
      tasksTaken: options.orders + 2 - tasks.length,
      ratioPerRound: subjectRounds.map((s, i) => round2(perSecond(s.done, s.elapsedMs) / perSecond(baselineRounds[i]!.done, baselineRounds[i]!.elapsedMs))),
    };
  } finally {
    await runtime?.stop();
    await simulators?.close();
    await directPool.end();
    await baselinePool.end();
    await setupPool.end();
  }
}
