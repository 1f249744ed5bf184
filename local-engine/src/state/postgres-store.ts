/**
 * Durable engine state in PostgreSQL, kept as Zeebe keeps its own: a log of batches plus a
 * snapshot that the log is folded into now and then.
 *
 * - **Journal.** Each batch of commands is one row of `local_engine_journal`: the batch's changes
 *   as JSON text, appended with one single-row insert. Commands are acknowledged only after their
 *   batch commits, so a restart never loses an acknowledged command, and batching several
 *   commands into one commit keeps the cost per command low (group commit).
 * - **Checkpoint.** Every so many entries, the records changed since the last checkpoint are
 *   upserted (or deleted) in `local_engine_record`, one row per record, and the journal entries
 *   they cover are deleted, all in one statement on a connection of its own, while the journal
 *   goes on. Only the last content of each record goes in, so a record changed by many batches
 *   is written once, and one created and removed in between (a job done within the window) never.
 * - **Load** reads the records, then replays the journal entries after the last checkpoint.
 *
 * Why not upsert the records on every commit, as this store did before: the benchmark measured a
 * single-row insert at about 40 % of PostgreSQL's CPU per commit of that upsert statement, and
 * about 60 % of its wall time; the commit sits on every command's path.
 */
import pg from 'pg';
import type { ChangeSet, EngineState } from './engine-state';
import { checkpointColumns, replayEntry, serializeBatch, type SerializedRecord } from './journal-entry';
import { collectionNames, type CollectionName } from './records';

const schema = `
create table if not exists local_engine_record (
  collection text not null,
  key bigint not null,
  data text not null,
  primary key (collection, key)
);
create table if not exists local_engine_meta (
  id int primary key,
  next_key bigint not null
);
alter table local_engine_meta add column if not exists journal_position bigint not null default 0;
create table if not exists local_engine_journal (
  seq bigint primary key,
  changes text not null
) with (toast_tuple_target = 8160);
-- entries stay in the row, uncompressed: they are short-lived, and compressing them cost CPU on
-- every commit
alter table local_engine_journal alter column changes set storage external;
`;

/**
 * Records are JSON text, not jsonb: a variable may hold U+0000, which JSON allows and jsonb
 * refuses, and the engine never queries inside a record. Earlier versions stored jsonb.
 */
const recordsAsText = `
do $$ begin
  if (select data_type from information_schema.columns
      where table_schema = current_schema() and table_name = 'local_engine_record' and column_name = 'data') = 'jsonb' then
    alter table local_engine_record alter column data type text using data::text;
  end if;
end $$;
`;

/** Options of the store. */
export interface PostgresStoreOptions {
  /**
   * Wait for PostgreSQL's WAL flush on each journal commit (default true). False trades the last
   * few milliseconds of commits on a PostgreSQL (not engine) crash for cheaper commits; a restart
   * of the engine alone never loses acknowledged commands either way.
   */
  synchronousCommit?: boolean;
  /** Journal entries after which a checkpoint starts (default 256). */
  checkpointEntries?: number;
  /**
   * Told when a checkpoint that started by itself fails. Nothing is lost (the journal keeps the
   * entries and the next checkpoint retries), but a checkpoint that keeps failing lets the journal
   * grow and the next start replay more, which an operator should hear about.
   */
  onCheckpointError?: (error: Error) => void;
}

/** Reads and writes the engine state in PostgreSQL. */
export class PostgresStore {
  /** One connection for journal appends, which the engine issues one at a time. */
  private readonly journal: pg.Pool;
  /** One connection for checkpoints, so that they do not hold up the journal. */
  private readonly checkpoints: pg.Pool;
  private readonly checkpointEntries: number;
  private seq = 0;
  /** Records changed by the entries since the last checkpoint, with their latest serialization. */
  private pending = new Map<string, SerializedRecord>();
  private pendingEntries = 0;
  /** The last journal entry whose changes are in `pending`. */
  private pendingSeq = 0;
  private pendingNextKey = 0;
  private running: Promise<void> | undefined;

  private readonly onCheckpointError: (error: Error) => void;

  constructor(databaseUrl: string, { synchronousCommit = true, checkpointEntries = 256, onCheckpointError = () => undefined }: PostgresStoreOptions = {}) {
    this.checkpointEntries = checkpointEntries;
    this.onCheckpointError = onCheckpointError;
    this.journal = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      // a session setting, because each write is a single statement outside an explicit transaction
      ...(synchronousCommit ? {} : { options: '-c synchronous_commit=off' }),
    });
    // A checkpoint needs no flush of its own: the entries it folds stay in the journal until its
    // commit, and WAL order makes any later journal commit flush it first.
    this.checkpoints = new pg.Pool({ connectionString: databaseUrl, max: 1, options: '-c synchronous_commit=off' });
    // An idle connection that the server drops (a restart, an administrator) is an error event
    // of the pool, which would otherwise end the process; the pool replaces the connection, and
    // the next write or checkpoint reports any lasting failure. A client just handed out is not
    // listened to by pg-pool, and a termination read together with "ready" would be unheard; a
    // listener for the client's whole life leaves it to fail its next statement instead.
    for (const pool of [this.journal, this.checkpoints]) {
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
    }
  }

  /** Creates the tables when missing. An advisory lock keeps concurrent starts from racing. */
  async init(): Promise<void> {
    const client = await this.journal.connect();
    try {
      await client.query('select pg_advisory_lock(74102026)');
      await client.query(schema);
      await client.query(recordsAsText);
      await client.query('select pg_advisory_unlock(74102026)');
    } finally {
      client.release();
    }
  }

  /**
   * Loads every record into a fresh state, then replays the journal entries after the last
   * checkpoint and folds them into a checkpoint at once, so the journal starts empty.
   */
  async load(state: EngineState): Promise<void> {
    const meta = await this.journal.query<{ next_key: string; journal_position: string }>('select next_key, journal_position from local_engine_meta where id = 1');
    const position = meta.rows[0] ? Number(meta.rows[0].journal_position) : 0;
    if (meta.rows[0]) state.nextKey = Number(meta.rows[0].next_key);
    const rows = await this.journal.query<{ collection: string; key: string; data: string }>('select collection, key, data from local_engine_record order by key');
    for (const row of rows.rows) {
      if (!collectionNames.includes(row.collection as CollectionName)) continue;
      state.restore(row.collection as CollectionName, Number(row.key), JSON.parse(row.data));
    }
    const entries = await this.journal.query<{ seq: string; changes: string }>('select seq, changes from local_engine_journal where seq > $1 order by seq', [position]);
    this.seq = position;
    for (const entry of entries.rows) {
      for (const record of replayEntry(state, entry.changes)) this.pending.set(`${record.collection}:${record.key}`, record);
      this.seq = Number(entry.seq);
      this.pendingEntries += 1;
    }
    this.pendingSeq = this.seq;
    this.pendingNextKey = state.nextKey;
    try {
      await this.checkpoint();
    } catch (error) {
      // the entries stay in the journal and their records in the next checkpoint; the state is loaded either way
      this.onCheckpointError(error as Error);
    }
  }

  /**
   * Appends one batch of changes to the journal. The engine issues one write at a time and
   * acknowledges the batch's commands when it resolves. A failed write leaves no entry (a
   * single-row insert is atomic); its sequence number is not reused, so an attempt whose commit
   * got through although its answer was lost cannot collide with the retry.
   */
  async write(changes: ChangeSet): Promise<void> {
    const batch = serializeBatch(changes);
    this.seq += 1;
    const seq = this.seq;
    // a named statement: its plan is trivial, so it is parsed and planned once per connection
    await this.journal.query({ name: 'local_engine_journal_append', text: 'insert into local_engine_journal (seq, changes) values ($1, $2)', values: [seq, batch.text] });
    for (const record of batch.records) this.pending.set(`${record.collection}:${record.key}`, record);
    this.pendingEntries += 1;
    this.pendingNextKey = batch.nextKey;
    this.pendingSeq = seq;
    if (this.pendingEntries >= this.checkpointEntries && !this.running) void this.checkpoint().catch((error: unknown) => this.onCheckpointError(error as Error));
  }

  /**
   * Folds the journal written so far into the record table and deletes its entries, in one
   * statement (one transaction). If it fails, the journal keeps the entries and the records go
   * back into the next checkpoint; nothing is lost. Resolves when no checkpoint is running.
   */
  async checkpoint(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.pendingEntries === 0) return;
    const taken = this.pending;
    const upTo = this.pendingSeq;
    const nextKey = this.pendingNextKey;
    const entries = this.pendingEntries;
    this.pending = new Map();
    this.pendingEntries = 0;
    this.running = this.checkpoints
      .query({
        // parallel arrays rather than one JSON document: PostgreSQL's JSON functions refuse
        // U+0000 in a string, which a record's JSON text may hold
        text: `with changes as (
           select * from unnest($1::text[], $2::bigint[], $3::text[]) as c(collection, key, data)
         ), upserted as (
           insert into local_engine_record (collection, key, data)
           select collection, key, data from changes where data is not null
           on conflict (collection, key) do update set data = excluded.data
         ), deleted as (
           delete from local_engine_record r using changes d
           where d.data is null and r.collection = d.collection and r.key = d.key
         ), folded as (
           delete from local_engine_journal where seq <= $5
         )
         insert into local_engine_meta (id, next_key, journal_position) values (1, $4, $5)
         on conflict (id) do update set next_key = excluded.next_key, journal_position = excluded.journal_position`,
        values: [...checkpointColumns(taken.values()), String(nextKey), String(upTo)],
      })
      .then(
        () => undefined,
        (error: unknown) => {
          // entries written meanwhile hold newer content of a record than the failed checkpoint
          for (const [id, record] of taken) if (!this.pending.has(id)) this.pending.set(id, record);
          this.pendingEntries += entries;
          throw error;
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Checkpoints what the journal holds (so the next start replays nothing), then closes the connections. */
  async close(): Promise<void> {
    try {
      await this.checkpoint();
    } catch (error) {
      // the journal still holds every entry; the next start replays them
      this.onCheckpointError(error as Error);
    }
    await this.journal.end();
    await this.checkpoints.end();
  }
}
