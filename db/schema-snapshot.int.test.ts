import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test/helpers/database';
import type { TestDatabase } from '../test/helpers/database';
import { migrate, migrationsDir, readMigrationFiles } from './migrate-lib';
import { schemaFile, schemaSnapshot, snapshotDifference } from './schema-snapshot';

let migrated: TestDatabase;
let committed: string;

beforeAll(async () => {
  migrated = await createTestDatabase('snapshot');
  await migrate(migrated.url);
  committed = await readFile(schemaFile, 'utf8');
});

afterAll(async () => {
  await migrated?.drop();
});

/**
 * The objects of a snapshot without their expressions: tables, columns, constraint names, indexes
 * (without their predicates).
 * Replaying deparsed SQL is not a fixpoint for every expression (PostgreSQL re-parses
 * `status in ('A', 'B')` on a varchar column into an array of casts), so the replay test compares
 * what exists, not how each check reads.
 */
function objects(snapshot: string): string[] {
  return snapshot
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .map((line) => line.replace(/ ADD CONSTRAINT (\S+) .*/, ' ADD CONSTRAINT $1').replace(/^(CREATE .*INDEX .*) WHERE .*;$/, '$1;'));
}

describe('db/schema.sql', () => {
  it('is the snapshot of a freshly migrated database', async () => {
    const difference = snapshotDifference(committed, await schemaSnapshot(migrated.url));
    if (difference !== undefined) expect.fail(difference);
  });

  it('lists every migration file with its checksum', async () => {
    for (const file of await readMigrationFiles()) {
      expect(committed).toContain(`--   ${file.name}  sha256:${file.checksum}\n`);
    }
  });

  it('is valid SQL that recreates the same tables, columns, constraints and indexes on an empty database', async () => {
    const empty = await createTestDatabase('snapshot_replay');
    try {
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      try {
        await client.query(committed);
      } finally {
        await client.end();
      }
      expect(objects(await schemaSnapshot(empty.url))).toEqual(objects(committed));
    } finally {
      await empty.drop();
    }
  });

  it('no longer matches once a migration is added, and the message says how to fix it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fp-snapshot-'));
    const changed = await createTestDatabase('snapshot_changed');
    try {
      await cp(migrationsDir, dir, { recursive: true });
      const next = String((await readMigrationFiles(dir)).length + 1).padStart(6, '0');
      await writeFile(join(dir, `${next}_probe.sql`), 'alter table outbox add column probe_note text;\n');
      await migrate(changed.url, { dir });

      const difference = snapshotDifference(committed, await schemaSnapshot(changed.url));

      expect(difference).toContain('Run `npm run db:snapshot`');
      expect(difference).toContain('+ migrated:      --   ' + `${next}_probe`);
      expect(difference).toContain('+ migrated:          probe_note text');
    } finally {
      await changed.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not depend on the order objects were created in, only on what exists', async () => {
    // Same schema, built in another order: the snapshot sorts by name, so the text is equal.
    const a = await createTestDatabase('snapshot_order_a');
    const b = await createTestDatabase('snapshot_order_b');
    try {
      const run = async (url: string, sql: string): Promise<void> => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      await run(a.url, 'create table t1 (id int primary key); create table t2 (id int primary key, t1 int references t1); create index t2_t1_idx on t2 (t1);');
      await run(b.url, 'create table t1 (id int primary key); create table t2 (id int primary key, t1 int); create index t2_t1_idx on t2 (t1); alter table t2 add constraint t2_t1_fkey foreign key (t1) references t1;');
      expect(await schemaSnapshot(b.url)).toBe(await schemaSnapshot(a.url));
      expect(await schemaSnapshot(a.url)).toContain('CREATE INDEX t2_t1_idx ON public.t2 USING btree (t1);');
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});
