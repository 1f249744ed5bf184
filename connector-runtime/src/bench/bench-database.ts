/**
 * The bench's own databases: `fp_bench_<purpose>_<random>` next to DATABASE_URL's (default the
 * machine's service), migrated, and dropped at the end, so a bench never touches a database of
 * `npm start` or of the tests.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../../db/migrate-lib';

/** The machine's PostgreSQL service (trust auth), used when DATABASE_URL is unset. */
export const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A migrated throwaway database. */
export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const open = new Set<BenchDatabase>();

/** Drops every bench database still open (on SIGINT / SIGTERM, so an interrupted run leaves none behind). */
export async function dropOpenBenchDatabases(): Promise<void> {
  for (const database of [...open]) await database.drop().catch(() => undefined);
}

/** Creates and migrates `fp_bench_<purpose>_<random>`. */
export async function createBenchDatabase(purpose: string, adminUrl = process.env.DATABASE_URL ?? defaultAdminUrl): Promise<BenchDatabase> {
  const name = `fp_bench_${purpose.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await onAdmin(adminUrl, `create database ${name}`);
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const database: BenchDatabase = {
    url,
    name,
    async drop() {
      open.delete(database);
      await onAdmin(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
  open.add(database);
  try {
    await migrate(url, { log: () => undefined });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}
