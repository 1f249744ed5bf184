/**
 * Test harness of the conformance suite: a local engine on a fresh PostgreSQL database with a
 * manual clock, and `@camunda8/sdk` clients pointed at it exactly as an application would be.
 */
import { Camunda8 } from '@camunda8/sdk';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { ManualClock } from '../src/clock';
import { startLocalEngine, type LocalEngine } from '../src/start-local-engine';

/** Search results of the REST API. */
export interface SearchResult<T> {
  items: T[];
}

type Filter = { filter: Record<string, unknown> };
type Consistency = { consistency: { waitUpToMs: number } };

/**
 * The methods of the SDK's Orchestration Cluster API client the suite calls, typed with plain
 * string keys (the client's own types brand every key).
 */
export interface RestApi {
  getProcessInstance(input: { processInstanceKey: string }, options: Consistency): Promise<{ state: string }>;
  searchIncidents(input: Filter, options: Consistency): Promise<SearchResult<{ incidentKey: string; errorType: string; errorMessage: string; elementId: string }>>;
  searchVariables(input: Filter, options: Consistency): Promise<SearchResult<{ name: string; value: string }>>;
  searchElementInstances(input: Filter, options: Consistency): Promise<SearchResult<{ elementId: string; state: string }>>;
  searchUserTasks(input: Filter, options: Consistency): Promise<SearchResult<{ userTaskKey: string; name: string; candidateGroups: string[]; state: string }>>;
  getUserTask(input: { userTaskKey: string }, options: Consistency): Promise<{ assignee?: string; state: string }>;
  getUserTaskForm(input: { userTaskKey: string }, options: Consistency): Promise<{ schema: string; formId: string } | undefined>;
  assignUserTask(input: { userTaskKey: string; assignee: string }): Promise<void>;
  completeUserTask(input: { userTaskKey: string; variables: Record<string, unknown> }): Promise<void>;
}

/** A running engine with SDK clients. */
export interface Harness {
  db: TestDatabase;
  clock: ManualClock;
  engine: LocalEngine;
  camunda: Camunda8;
  zeebe: ReturnType<Camunda8['getZeebeGrpcApiClient']>;
  rest: ReturnType<Camunda8['getCamundaRestClient']>;
  /** The 8.8 Orchestration Cluster REST client, seen through the few methods the suite uses. */
  api: RestApi;
  /** Restarts the engine on the same database (same ports are not kept). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function clients(engine: LocalEngine) {
  const camunda = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${engine.grpcAddress}`,
    ZEEBE_REST_ADDRESS: engine.restAddress,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
    zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false },
  } as ConstructorParameters<typeof Camunda8>[0]);
  return {
    camunda,
    zeebe: camunda.getZeebeGrpcApiClient(),
    rest: camunda.getCamundaRestClient(),
    api: camunda.getOrchestrationClusterApiClientLoose() as unknown as RestApi,
  };
}

/** Starts an engine for one test file. */
export async function startHarness(prefix: string): Promise<Harness> {
  const db = await createTestDatabase(prefix);
  const clock = new ManualClock();
  let engine = await startLocalEngine({ databaseUrl: db.url, clock });
  let c = clients(engine);
  const harness: Harness = {
    db,
    clock,
    engine,
    ...c,
    async restart() {
      await harness.zeebe.close();
      await engine.stop();
      engine = await startLocalEngine({ databaseUrl: db.url, clock });
      c = clients(engine);
      Object.assign(harness, { engine, ...c });
    },
    async close() {
      await harness.zeebe.close();
      await engine.stop();
      await db.drop();
    },
  };
  return harness;
}

/** No eventual consistency to wait for: the local engine answers from its current state. */
export const now = { consistency: { waitUpToMs: 0 } } as const;

/** Deploys one BPMN document (as a file named after its process id). */
export async function deploy(harness: Harness, processId: string, xml: string) {
  return harness.zeebe.deployResource({ process: Buffer.from(xml), name: `${processId}.bpmn` });
}
