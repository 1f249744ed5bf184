import { appendFile, cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test/helpers/database';
import type { TestDatabase } from '../test/helpers/database';
import { MigrationFailedError, MigrationHistoryError, checksumTable, migrate, migrationTable, migrationsDir, readMigrationFiles } from './migrate-lib';
import { schemaSnapshot } from './schema-snapshot';

/** Every table the migrations create (runner bookkeeping excluded). */
const expectedTables = [
  'asset_version',
  'audit_log',
  'callback_inbox',
  'compensation_plan',
  'compensation_task',
  'customer_order',
  'external_call_attempt',
  'fallout_case',
  'fulfillment_execution',
  'fulfillment_plan',
  'fulfillment_task',
  'fulfillment_task_attempt',
  'fulfillment_task_dependency',
  'http_idempotency_record',
  'installed_base_asset',
  'order_item',
  'order_workflow_ref',
  'outbox',
  'product_catalog',
  'product_catalog_entry',
  'task_evidence',
  'workflow_message_correlation',
  'workflow_start_request',
];

const cleanups: (() => Promise<void>)[] = [];

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('migrate');
  cleanups.push(() => db.drop());
  return db;
}

/** A copy of the project's migrations that a test may change. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fp-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    `select c.relname as name from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
      and c.relname <> all ($1) order by c.relname collate "C"`,
    [[migrationTable, checksumTable]],
  );
  return rows.map((row) => row.name);
}

async function history(url: string): Promise<string[]> {
  return (await query<{ name: string }>(url, `select name from ${migrationTable} order by id`)).map((row) => row.name);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('migrate', () => {
  it('creates every table on an empty database, recording each migration with its checksum', async () => {
    const db = await database();
    const lines: string[] = [];
    const files = await readMigrationFiles();

    const result = await migrate(db.url, { log: (line) => lines.push(line) });

    expect(result.applied).toEqual(files.map((file) => file.fileName));
    expect(result.alreadyApplied).toEqual([]);
    expect(await tables(db.url)).toEqual(expectedTables);
    expect(await history(db.url)).toEqual(files.map((file) => file.name));
    const checksums = await query<{ name: string; checksum: string }>(db.url, `select name, checksum from ${checksumTable} order by name`);
    expect(checksums).toEqual(files.map((file) => ({ name: file.name, checksum: file.checksum })));
    for (const file of files) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^applying ${file.fileName} \\.\\.\\. done in \\d+ ms$`)));
    }
  });

  it('changes nothing on a second run, and says so', async () => {
    const db = await database();
    await migrate(db.url);
    const before = await schemaSnapshot(db.url);
    const historyBefore = await query(db.url, `select id, name, run_on from ${migrationTable} order by id`);
    const lines: string[] = [];

    const result = await migrate(db.url, { log: (line) => lines.push(line) });

    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toHaveLength((await readMigrationFiles()).length);
    expect(lines).toEqual([expect.stringMatching(/up to date.*nothing to do/)]);
    expect(await schemaSnapshot(db.url)).toBe(before);
    expect(await query(db.url, `select id, name, run_on from ${migrationTable} order by id`)).toEqual(historyBefore);
  });

  it('applies each migration once when several runs start together on an empty database', async () => {
    const db = await database();
    const files = await readMigrationFiles();

    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);

    // The advisory lock serialises the runs: the first applies everything, the others find it done.
    const appliedCounts = results.map((result) => result.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, files.length]);
    expect(await history(db.url)).toEqual(files.map((file) => file.name));
    expect(await tables(db.url)).toEqual(expectedTables);
  });

  it('applies only the new migration when one is added later', async () => {
    const db = await database();
    const dir = await migrationsCopy();
    const files = await readMigrationFiles(dir);
    await migrate(db.url, { dir });
    const next = String(files.length + 1).padStart(6, '0');
    await writeFile(join(dir, `${next}_probe.sql`), 'create table probe (tenant_id varchar(64) not null);\n');

    const result = await migrate(db.url, { dir });

    expect(result.applied).toEqual([`${next}_probe.sql`]);
    expect(result.alreadyApplied).toHaveLength(files.length);
    expect(await tables(db.url)).toContain('probe');
  });

  it('refuses to run when an applied migration was changed, before applying anything new', async () => {
    const db = await database();
    const dir = await migrationsCopy();
    await migrate(db.url, { dir });
    const files = await readMigrationFiles(dir);
    const changed = files[1]!;
    await appendFile(changed.path, '\n-- a harmless-looking edit\n');
    const next = String(files.length + 1).padStart(6, '0');
    await writeFile(join(dir, `${next}_probe.sql`), 'create table probe (tenant_id varchar(64) not null);\n');
    const before = await schemaSnapshot(db.url);

    const error = await rejection(migrate(db.url, { dir }));

    expect(error).toBeInstanceOf(MigrationHistoryError);
    expect((error as MigrationHistoryError).code).toBe('MIGRATION.CHANGED_AFTER_APPLY');
    expect(error.message).toContain(`migration ${changed.fileName} was changed after it was applied`);
    expect(error.message).toContain('new migration');
    expect(await tables(db.url)).not.toContain('probe');
    expect(await schemaSnapshot(db.url)).toBe(before);
  });

  it('refuses to run when an applied migration file is missing', async () => {
    const db = await database();
    const dir = await migrationsCopy();
    await migrate(db.url, { dir });
    const files = await readMigrationFiles(dir);
    await unlink(files.at(-1)!.path);

    const error = await rejection(migrate(db.url, { dir }));

    expect((error as MigrationHistoryError).code).toBe('MIGRATION.MISSING_FILE');
    expect(error.message).toContain(files.at(-1)!.fileName);
  });

  it('rolls a failing migration back completely, reports its file and line, and retries it on the next run', async () => {
    const db = await database();
    const dir = await migrationsCopy();
    const files = await readMigrationFiles(dir);
    const next = String(files.length + 1).padStart(6, '0');
    const broken = join(dir, `${next}_broken.sql`);
    await writeFile(broken, 'create table half_done (tenant_id varchar(64) not null);\nselect no_such_column from half_done;\n');

    const error = await rejection(migrate(db.url, { dir }));

    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationFailedError).code).toBe('MIGRATION.FAILED');
    expect(error.message).toContain(`${next}_broken.sql failed at line 2`);
    expect(error.message).toContain('no_such_column');
    // The files before it stay applied; nothing of the broken one remains, not even its record.
    expect(await history(db.url)).toEqual(files.map((file) => file.name));
    expect(await tables(db.url)).toEqual(expectedTables);

    await writeFile(broken, 'create table half_done (tenant_id varchar(64) not null);\n');
    const retry = await migrate(db.url, { dir });
    expect(retry.applied).toEqual([`${next}_broken.sql`]);
    expect(await tables(db.url)).toContain('half_done');
  });

  it('reports an unreachable database as transient', async () => {
    const error = await rejection(migrate('postgres://postgres@127.0.0.1:1/nowhere'));
    expect((error as { code?: string }).code).toBe('MIGRATION.DATABASE_UNAVAILABLE');
    expect((error as { kind?: string }).kind).toBe('transient');
  });
});
