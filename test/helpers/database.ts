/**
 * Test databases: each test file gets a database of its own on the real PostgreSQL, created empty
 * (optionally migrated) and dropped afterwards, so files run in parallel without sharing rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL service (trust auth), used when DATABASE_URL is unset. */
export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database: its URL and a function that drops it. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database named `fp_test_<prefix>_<random>` next to DATABASE_URL's. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL ?? defaultDatabaseUrl;
  const name = `fp_test_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
