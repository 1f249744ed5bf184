import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database';
import { serverThatTerminatesOnReady } from '../../../test/helpers/terminating-postgres';
import { definitions, flow, oneTask } from '../../test/fixtures';
import { EngineState, firstKey } from './engine-state';
import { PostgresStore } from './postgres-store';

let db: TestDatabase;
let sql: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('le_store');
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

const stores: PostgresStore[] = [];

/** A store on a clean schema; checkpoints only when a test asks, unless told otherwise. */
async function openStore(checkpointEntries = 1_000_000): Promise<PostgresStore> {
  const store = new PostgresStore(db.url, { checkpointEntries });
  stores.push(store);
  await store.init();
  return store;
}

beforeEach(async () => {
  await sql.query('drop table if exists local_engine_record, local_engine_meta, local_engine_journal');
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});

/** What a fresh engine would start from: a new store's load of the database. */
async function reloaded(): Promise<EngineState> {
  const store = new PostgresStore(db.url);
  try {
    const state = new EngineState();
    await store.load(state);
    return state;
  } finally {
    await store.close();
  }
}

async function count(table: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]!.n);
}

describe('PostgresStore: journal of batches, folded into records by checkpoints', () => {
  it('given batches in the journal only, when a fresh state loads, then it has every change and the key counter', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.newKey();
    state.put('variables', 1, { a: 1, text: 'quote " and backslash \\ and {braces} and \u2028' });
    state.put('variables', 2, { b: 2 });
    await store.write(state.takeChanges());
    state.put('variables', 1, { a: 3 });
    state.remove('variables', 2);
    state.put('variables', 3, { c: [1, 2] });
    state.newKey();
    await store.write(state.takeChanges());
    expect(await count('local_engine_journal')).toBe(2);
    expect(await count('local_engine_record')).toBe(0);

    const again = await reloaded();
    expect(again.get('variables', 1)).toEqual({ a: 3 });
    expect(again.get('variables', 2)).toBeUndefined();
    expect(again.get('variables', 3)).toEqual({ c: [1, 2] });
    expect(again.nextKey).toBe(firstKey + 2);
    // the load folded the journal into a checkpoint, so the next start replays nothing
    expect(await count('local_engine_journal')).toBe(0);
    expect((await reloaded()).get('variables', 1)).toEqual({ a: 3 });
  });

  it('given a record created and removed between checkpoints, when the checkpoint runs, then only the last content of each record is written', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.put('jobs', 7, { transient: true } as never);
    state.put('variables', 1, { v: 1 });
    await store.write(state.takeChanges());
    state.remove('jobs', 7);
    state.put('variables', 1, { v: 2 });
    await store.write(state.takeChanges());

    await store.checkpoint();

    const { rows } = await sql.query<{ collection: string; key: string; data: unknown }>('select collection, key, data from local_engine_record order by collection');
    expect(rows).toEqual([{ collection: 'variables', key: '1', data: '{"v":2}' }]);
    expect(await count('local_engine_journal')).toBe(0);
    expect((await reloaded()).get('variables', 1)).toEqual({ v: 2 });
  });

  it('given a variable holding U+0000 (valid JSON, refused by jsonb), when it is checkpointed and reloaded, then it is intact', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.put('variables', 1, { payload: 'before\u0000after' });
    await store.write(state.takeChanges());
    await store.checkpoint();
    expect(await count('local_engine_journal')).toBe(0);
    expect((await reloaded()).get('variables', 1)).toEqual({ payload: 'before\u0000after' });
  });

  it('given a batch written while a checkpoint runs, when a fresh state loads, then it has both', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.put('variables', 1, { before: true });
    await store.write(state.takeChanges());
    const running = store.checkpoint();
    state.put('variables', 2, { during: true });
    state.put('variables', 1, { before: 'changed' });
    await store.write(state.takeChanges());
    await running;

    const again = await reloaded();
    expect(again.get('variables', 1)).toEqual({ before: 'changed' });
    expect(again.get('variables', 2)).toEqual({ during: true });
  });

  it('tells its owner when a checkpoint it started by itself fails', async () => {
    const errors: string[] = [];
    const store = new PostgresStore(db.url, { checkpointEntries: 1, onCheckpointError: (error) => errors.push(error.message) });
    stores.push(store);
    await store.init();
    await sql.query('alter table local_engine_meta add constraint refuse check (journal_position < 0)');
    const state = new EngineState();
    state.put('variables', 1, { v: 1 });
    await store.write(state.takeChanges());
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([expect.stringMatching(/refuse/)]);
    await sql.query('alter table local_engine_meta drop constraint refuse');
  });

  it('starts a checkpoint by itself after the configured number of entries', async () => {
    const store = await openStore(2);
    const state = new EngineState();
    for (let i = 1; i <= 2; i++) {
      state.put('variables', i, { i });
      await store.write(state.takeChanges());
    }
    await store.checkpoint(); // waits for the running one, which left nothing to fold
    expect(await count('local_engine_journal')).toBe(0);
    expect(await count('local_engine_record')).toBe(2);
  });

  it('given a checkpoint that fails, then the journal keeps its entries and a later checkpoint folds them', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.put('variables', 1, { kept: true });
    await store.write(state.takeChanges());
    await sql.query('alter table local_engine_meta add constraint refuse check (journal_position < 0)');
    await expect(store.checkpoint()).rejects.toThrow(/refuse/);
    expect(await count('local_engine_journal')).toBe(1);
    expect(await count('local_engine_record')).toBe(0);

    await sql.query('alter table local_engine_meta drop constraint refuse');
    state.put('variables', 2, { later: true });
    await store.write(state.takeChanges());
    await store.checkpoint();
    expect(await count('local_engine_journal')).toBe(0);
    const again = await reloaded();
    expect(again.get('variables', 1)).toEqual({ kept: true });
    expect(again.get('variables', 2)).toEqual({ later: true });
  });

  it('given a write that fails, then nothing of its batch is stored and the next write still succeeds', async () => {
    const store = await openStore();
    const state = new EngineState();
    await sql.query(`alter table local_engine_journal add constraint refuse check (changes not like '%poison%')`);
    state.put('variables', 10, { poison: true });
    const failed = state.takeChanges();
    await expect(store.write(failed)).rejects.toThrow(/refuse/);
    state.requeue(failed);
    state.remove('variables', 10);
    state.put('variables', 11, { fine: true });
    await store.write(state.takeChanges());

    const again = await reloaded();
    expect(again.get('variables', 10)).toBeUndefined();
    expect(again.get('variables', 11)).toEqual({ fine: true });
  });

  it('given its idle connections dropped by the server, then the process carries on and the next write and checkpoint reconnect', async () => {
    const store = await openStore();
    const state = new EngineState();
    state.put('variables', 1, { first: true });
    await store.write(state.takeChanges());
    await store.checkpoint(); // both connections have been used and sit idle
    await sql.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the termination reaches the idle clients as error events

    state.put('variables', 2, { after: true });
    await store.write(state.takeChanges());
    await store.checkpoint();
    expect(await count('local_engine_journal')).toBe(0);
    expect((await reloaded()).get('variables', 2)).toEqual({ after: true });
  });

  it('given a server that terminates a connection in the same read that reports it ready, then init fails and the process carries on', async () => {
    const server = await serverThatTerminatesOnReady();
    const store = new PostgresStore(server.url);
    try {
      await expect(store.init()).rejects.toThrow(/not queryable|terminat/i);
    } finally {
      await store.close().catch(() => undefined);
      await server.close();
    }
  });

  it('commits the journal asynchronously only when asked, and still writes the batch', async () => {
    const store = new PostgresStore(db.url, { synchronousCommit: false });
    stores.push(store);
    await store.init();
    const state = new EngineState();
    state.put('variables', 20, { async: true });
    await store.write(state.takeChanges());
    expect((await reloaded()).get('variables', 20)).toEqual({ async: true });
    // the setting belongs to the store's own sessions, not to the database
    const { rows } = await sql.query<{ synchronous_commit: string }>('show synchronous_commit');
    expect(rows[0]!.synchronous_commit).toBe('on');
  });

  it('given the record table of an earlier version without a journal, when it starts, then it keeps the records', async () => {
    await sql.query(`create table local_engine_record (collection text not null, key bigint not null, data jsonb not null, primary key (collection, key));
      create table local_engine_meta (id int primary key, next_key bigint not null);
      insert into local_engine_record values ('variables', 1, '{"old": true}');
      insert into local_engine_meta values (1, ${firstKey + 5});`);
    const store = await openStore();
    const state = new EngineState();
    await store.load(state);
    expect(state.get('variables', 1)).toEqual({ old: true });
    expect(state.nextKey).toBe(firstKey + 5);
    const { rows } = await sql.query<{ data_type: string }>(`select data_type from information_schema.columns where table_name = 'local_engine_record' and column_name = 'data'`);
    expect(rows[0]!.data_type).toBe('text');
  });
});

describe('engine recovery from the journal', () => {
  it('given ended instances in the database, a restarted engine counts them towards its history limit and deletes what it forgets', async () => {
    const { Engine } = await import('../engine');
    const { ManualClock } = await import('../clock');
    const xml = definitions('quick', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${flow('f', 's', 'e')}`);
    const first = new Engine(new ManualClock(0), await openStore(), 3);
    await first.start();
    await first.deploy([{ name: 'quick.bpmn', content: Buffer.from(xml) }], '<default>');
    const definition = first.findDefinition({ bpmnProcessId: 'quick', tenantId: '<default>' });
    const keys = Array.from({ length: 4 }, () => first.createProcessInstance(definition, {}).key); // 3 + a slack of 1: all kept
    await first.stop();

    const restarted = new Engine(new ManualClock(0), await openStore(), 3);
    await restarted.start();
    restarted.createProcessInstance(restarted.findDefinition({ bpmnProcessId: 'quick', tenantId: '<default>' }), {});
    await restarted.stop();
    expect(restarted.state.get('elements', keys[0]!)).toBeUndefined();
    expect(restarted.state.get('elements', keys[1]!)).toBeUndefined();
    expect(restarted.state.get('elements', keys[2]!)?.state).toBe('COMPLETED');
    await stores[stores.length - 1]!.checkpoint();
    const { rows } = await sql.query<{ n: string }>(`select count(*) as n from local_engine_record where collection = 'elements' and key = any($1::bigint[])`, [keys.slice(0, 2).map(String)]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('given an engine that stopped without a checkpoint (a crash), when another starts on its database, then every instance continues', async () => {
    const { Engine } = await import('../engine');
    const { ManualClock } = await import('../clock');
    const xml = oneTask('crash', 'crash-work');
    const request = { type: 'crash-work', worker: 'w', timeout: 60_000, maxJobs: 10, fetchVariables: [], tenantIds: [] };
    const crashed = new Engine(new ManualClock(0), await openStore());
    await crashed.start();
    await crashed.deploy([{ name: 'crash.bpmn', content: Buffer.from(xml) }], '<default>');
    const definition = crashed.findDefinition({ bpmnProcessId: 'crash', tenantId: '<default>' });
    const first = crashed.createProcessInstance(definition, { n: 1 });
    const second = crashed.createProcessInstance(definition, { n: 2 });
    await crashed.flush();
    const [job] = crashed.activateJobs({ ...request, maxJobs: 1 });
    crashed.completeJob(job!.job.key, { done: true });
    await crashed.flush();
    expect(await count('local_engine_journal')).toBeGreaterThan(0);
    expect(await count('local_engine_record')).toBe(0); // nothing was checkpointed: all of it is in the journal

    const recovered = new Engine(new ManualClock(0), await openStore());
    await recovered.start();
    const done = job!.job.processInstanceKey === first.key ? first : second;
    const open = done === first ? second : first;
    expect(recovered.state.get('elements', done.key)!.state).toBe('COMPLETED');
    expect(recovered.rootVariables(done.key)).toMatchObject({ done: true });
    expect(recovered.state.get('elements', open.key)!.state).toBe('ACTIVATED');
    const [left] = recovered.activateJobs(request);
    expect(left!.job.processInstanceKey).toBe(open.key);
    expect(recovered.newKey()).toBeGreaterThan(left!.job.key);
  });
});
