import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database';
import { EngineState, firstKey } from './engine-state';
import { PostgresStore } from './postgres-store';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('le_store');
});

afterAll(async () => {
  await db.drop();
});

async function loaded(store: PostgresStore): Promise<EngineState> {
  const state = new EngineState();
  await store.load(state);
  return state;
}

describe('PostgresStore batch writes (one statement per batch)', () => {
  it('writes upserts, deletes and the key counter of a batch, and a fresh state loads them back', async () => {
    const store = new PostgresStore(db.url);
    await store.init();
    try {
      const state = new EngineState();
      state.newKey();
      state.put('variables', 1, { a: 1, text: 'quote " and backslash \\ and {braces}' });
      state.put('variables', 2, { b: 2 });
      await store.write(state.takeChanges());

      state.put('variables', 1, { a: 3 });
      state.remove('variables', 2);
      state.put('variables', 3, { c: [1, 2] });
      state.newKey();
      await store.write(state.takeChanges());

      const again = await loaded(store);
      expect(again.get('variables', 1)).toEqual({ a: 3 });
      expect(again.get('variables', 2)).toBeUndefined();
      expect(again.get('variables', 3)).toEqual({ c: [1, 2] });
      expect(again.nextKey).toBe(firstKey + 2);
    } finally {
      await store.close();
    }
  });

  it('writes nothing of a batch that fails (the statement is one transaction)', async () => {
    const store = new PostgresStore(db.url);
    await store.init();
    try {
      const state = await loaded(store);
      const before = state.nextKey;
      state.put('variables', 10, { written: false });
      state.remove('variables', 1);
      const changes = state.takeChanges();
      // a key counter PostgreSQL cannot store makes the last part of the statement fail
      await expect(store.write({ ...changes, nextKey: Number.NaN })).rejects.toThrow();

      const again = await loaded(store);
      expect(again.get('variables', 10)).toBeUndefined();
      expect(again.get('variables', 1)).toEqual({ a: 3 });
      expect(again.nextKey).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('commits asynchronously only when asked, and still writes the batch', async () => {
    const store = new PostgresStore(db.url, false);
    await store.init();
    try {
      const state = await loaded(store);
      state.put('variables', 20, { async: true });
      await store.write(state.takeChanges());
      expect((await loaded(store)).get('variables', 20)).toEqual({ async: true });
    } finally {
      await store.close();
    }
    // the setting belongs to the store's own sessions, not to the database
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ synchronous_commit: string }>('show synchronous_commit');
      expect(rows[0]!.synchronous_commit).toBe('on');
    } finally {
      await client.end();
    }
  });
});
