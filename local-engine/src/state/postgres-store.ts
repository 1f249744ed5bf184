/**
 * Durable engine state in PostgreSQL: one row per record (collection, key, jsonb), written in one
 * transaction per batch of commands. Commands are acknowledged only after their batch commits, so
 * a restart never loses an acknowledged command; batching several commands into one commit keeps
 * the cost per command low (group commit).
 */
import pg from 'pg';
import type { ChangeSet, EngineState } from './engine-state';
import { collectionNames, type CollectionName } from './records';

const schema = `
create table if not exists local_engine_record (
  collection text not null,
  key bigint not null,
  data jsonb not null,
  primary key (collection, key)
);
create table if not exists local_engine_meta (
  id int primary key,
  next_key bigint not null
);
`;

/** Reads and writes the engine state in PostgreSQL. */
export class PostgresStore {
  private readonly pool: pg.Pool;

  /**
   * @param synchronousCommit false trades the durability of the last few milliseconds of commits
   *   on a PostgreSQL (not engine) crash for much cheaper commits; a restart of the engine alone
   *   never loses acknowledged commands either way.
   */
  constructor(
    databaseUrl: string,
    private readonly synchronousCommit = true,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  /** Creates the tables when missing. An advisory lock keeps concurrent starts from racing. */
  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('select pg_advisory_lock(74102026)');
      await client.query(schema);
      await client.query('select pg_advisory_unlock(74102026)');
    } finally {
      client.release();
    }
  }

  /** Loads every record into a fresh state. */
  async load(state: EngineState): Promise<void> {
    const meta = await this.pool.query<{ next_key: string }>('select next_key from local_engine_meta where id = 1');
    if (meta.rows[0]) state.nextKey = Number(meta.rows[0].next_key);
    const rows = await this.pool.query<{ collection: string; key: string; data: unknown }>(
      'select collection, key, data from local_engine_record order by key',
    );
    for (const row of rows.rows) {
      if (!collectionNames.includes(row.collection as CollectionName)) continue;
      state.restore(row.collection as CollectionName, Number(row.key), row.data);
    }
  }

  /** Writes one batch of changes atomically. */
  async write(changes: ChangeSet): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query(this.synchronousCommit ? 'begin' : 'begin; set local synchronous_commit to off');
      if (changes.upserts.length > 0) {
        await client.query(
          `insert into local_engine_record (collection, key, data)
           select * from unnest($1::text[], $2::bigint[], $3::jsonb[])
           on conflict (collection, key) do update set data = excluded.data`,
          [
            changes.upserts.map((u) => u.collection),
            changes.upserts.map((u) => String(u.key)),
            changes.upserts.map((u) => JSON.stringify(u.data)),
          ],
        );
      }
      if (changes.deletes.length > 0) {
        await client.query(
          `delete from local_engine_record r using unnest($1::text[], $2::bigint[]) as d(collection, key)
           where r.collection = d.collection and r.key = d.key`,
          [changes.deletes.map((d) => d.collection), changes.deletes.map((d) => String(d.key))],
        );
      }
      await client.query(
        `insert into local_engine_meta (id, next_key) values (1, $1)
         on conflict (id) do update set next_key = excluded.next_key`,
        [String(changes.nextKey)],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
