/**
 * Applies the forward-only SQL migrations of `db/migrations/` to a database. Used by
 * `npm run db:migrate`, by `npm start` and by tests.
 *
 * node-pg-migrate runs each file in its own transaction and records it in `schema_migration`. Around
 * it this module adds what forward-only history needs and the library lacks (see
 * docs/decisions/0001-migration-runner.md):
 * - one session-level advisory lock held for the whole run, waiting rather than failing, so that
 *   concurrent starts (two replicas, parallel tests) both succeed and each file is applied once;
 * - a sha256 checksum per applied file, written in the migration's own transaction, and a refusal
 *   to run when an applied file was changed, removed or a new file sorts before an applied one;
 * - strict file names (`000001_slug.sql`, numbered without gaps), no down sections, and one
 *   progress line per file.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { RunnerOption } from 'node-pg-migrate';
import pg from 'pg';
import { BugError, TransientError } from '../connector-runtime/src/errors';

/** The machine's PostgreSQL service (trust auth), used when DATABASE_URL is unset. */
export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The project's migrations folder. */
export const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

/** node-pg-migrate's bookkeeping table: one row per applied migration (name, run_on). */
export const migrationTable = 'schema_migration';

/** Our bookkeeping table: the sha256 of each applied file, written in the same transaction. */
export const checksumTable = 'schema_migration_checksum';

/**
 * Advisory lock key of the migration run. Distinct from node-pg-migrate's own key: this lock is
 * held across the checksum check and every file, which the library's per-run lock does not cover.
 */
export const migrationLockKey = 4_812_559_180_362_745n;

const fileNamePattern = /^(\d{6})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

/** A migration file read from disk. */
export interface MigrationFile {
  /** File name without `.sql`, as recorded in `schema_migration`. */
  name: string;
  fileName: string;
  path: string;
  sql: string;
  /** Hex sha256 of the file's bytes. */
  checksum: string;
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Receives one line per event (progress, "up to date"). Default: nothing is printed. */
  log?: (line: string) => void;
  /** Folder of the migration files; default {@link migrationsDir}. Tests point it at a copy. */
  dir?: string;
}

/** What a run did. */
export interface MigrateResult {
  /** File names applied by this run, in order. */
  applied: string[];
  /** File names that were already applied before this run. */
  alreadyApplied: string[];
}

/**
 * The migration files or the database's migration history are not what forward-only history
 * allows. Retrying cannot help: a person must put the files back as they were applied.
 */
export class MigrationHistoryError extends BugError {}

/** A migration's SQL failed; its transaction was rolled back and nothing of it remains. */
export class MigrationFailedError extends BugError {}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Reads and checks the migration files of `dir`: every entry must be `NNNNNN_slug.sql`, numbered
 * 1, 2, 3 ... without gaps or duplicates, so two branches adding the same number collide loudly.
 * Dot files are ignored (editor and OS droppings).
 */
export async function readMigrationFiles(dir: string = migrationsDir): Promise<MigrationFile[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  const files: MigrationFile[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const match = fileNamePattern.exec(entry.name);
    if (!entry.isFile() || !match) {
      throw new MigrationHistoryError(
        'MIGRATION.BAD_FILE_NAME',
        `${join(dir, entry.name)} is not a migration: the folder holds only files named NNNNNN_lower_snake_slug.sql`,
        { dir, entry: entry.name },
      );
    }
    const expected = files.length + 1;
    if (Number(match[1]) !== expected) {
      throw new MigrationHistoryError(
        'MIGRATION.BAD_NUMBERING',
        `${entry.name} should be numbered ${String(expected).padStart(6, '0')}: migrations are numbered 1, 2, 3 ... without gaps or duplicates`,
        { dir, entry: entry.name, expected },
      );
    }
    const path = join(dir, entry.name);
    const content = await readFile(path);
    // node-pg-migrate's own SQL format splits a file at this marker; our loader runs the whole file
    // forwards, so a down section would be executed as part of the migration.
    if (/^\s*--[\s-]*down\s+migration/im.test(content.toString('utf8'))) {
      throw new MigrationHistoryError(
        'MIGRATION.DOWN_SECTION',
        `${entry.name} has a "-- Down Migration" section: migrations are forward-only, undo a change with a new migration`,
        { dir, entry: entry.name },
      );
    }
    files.push({ name: entry.name.slice(0, -'.sql'.length), fileName: entry.name, path, sql: content.toString('utf8'), checksum: sha256(content) });
  }
  if (files.length === 0) {
    throw new MigrationHistoryError('MIGRATION.NONE', `no migration files in ${dir}`, { dir });
  }
  return files;
}

interface AppliedMigration {
  name: string;
  checksum: string | null;
}

async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [`public.${table}`]);
  return rows[0]?.present === true;
}

async function readHistory(client: pg.ClientBase): Promise<AppliedMigration[]> {
  if (!(await tableExists(client, migrationTable))) return [];
  const { rows } = await client.query<AppliedMigration>(
    `select m.name, c.checksum
       from public.${migrationTable} m left join public.${checksumTable} c on c.name = m.name
      order by m.id`,
  );
  return rows;
}

/**
 * Compares the applied history with the files. Applied files are immutable: the same names, in the
 * same order, with the same bytes; only new files may follow them.
 */
function checkHistory(history: readonly AppliedMigration[], files: readonly MigrationFile[]): void {
  const fixHint = 'Applied migrations are immutable: restore the file as it was applied and put the change in a new migration.';
  history.forEach((applied, index) => {
    const file = files[index];
    if (!file || file.name !== applied.name) {
      const present = files.some((candidate) => candidate.name === applied.name);
      throw new MigrationHistoryError(
        present ? 'MIGRATION.OUT_OF_ORDER' : 'MIGRATION.MISSING_FILE',
        present
          ? `migration ${file?.fileName ?? '(none)'} sorts before the already applied ${applied.name}.sql; new migrations must come after every applied one`
          : `migration ${applied.name}.sql was applied to this database but is missing from the migrations folder. ${fixHint}`,
        { applied: applied.name, file: file?.fileName },
      );
    }
    if (applied.checksum === null) {
      throw new MigrationHistoryError(
        'MIGRATION.CHECKSUM_MISSING',
        `migration ${file.fileName} is recorded in ${migrationTable} without a checksum in ${checksumTable}; it was applied by another tool, so this runner cannot prove the file is unchanged`,
        { migration: file.fileName },
      );
    }
    if (applied.checksum !== file.checksum) {
      throw new MigrationHistoryError(
        'MIGRATION.CHANGED_AFTER_APPLY',
        `migration ${file.fileName} was changed after it was applied (applied sha256 ${applied.checksum}, file now ${file.checksum}). ${fixHint}`,
        { migration: file.fileName, appliedChecksum: applied.checksum, fileChecksum: file.checksum },
      );
    }
  });
}

type Loader = NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'];

/**
 * node-pg-migrate loader for our files: the SQL read (and hashed) once by this module, plus the
 * insert of its checksum, so the checksum commits or rolls back with the migration itself.
 * `down: false` makes the history forward-only: the library refuses to run a file downwards.
 */
function checksummedSqlLoader(files: readonly MigrationFile[]): Loader {
  const byPath = new Map(files.map((file) => [file.path, file]));
  return async (filePaths) =>
    filePaths.map((filePath) => {
      const file = byPath.get(filePath);
      if (!file) {
        throw new MigrationHistoryError('MIGRATION.FILE_APPEARED', `${filePath} appeared while migrating; run again`, { filePath });
      }
      return {
        id: filePath,
        filePaths: [filePath],
        actions: {
          up: (pgm) => {
            pgm.sql(file.sql);
            // Inlined, not bound: the library runs plain text. Both values are safe by construction
            // (the name matched the file name pattern, the checksum is hex).
            pgm.sql(`insert into public.${checksumTable} (name, checksum) values ('${file.name}', '${file.checksum}')`);
          },
          down: false,
        },
      };
    });
}

/** Line of a 1-based character position, so an error message points into the file. */
function lineOf(sql: string, position: number): number {
  return sql.slice(0, Math.max(0, position - 1)).split('\n').length;
}

const quietLogger = (log: (line: string) => void) => ({
  debug: () => undefined,
  info: () => undefined,
  // Warnings mean a file broke out of its transaction: worth showing.
  warn: (message: string) => log(`node-pg-migrate: ${message}`),
  // Failures are reported once, with the file and line, by migrate() itself.
  error: () => undefined,
});

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'fulfillment-pack-migrate' });
  // A connection lost while idle would otherwise be an unhandled 'error' event that kills the
  // process; the query in flight, if any, rejects with the cause anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new TransientError('MIGRATION.DATABASE_UNAVAILABLE', `cannot connect to ${redact(databaseUrl)}: ${(error as Error).message}`, {}, { cause: error });
  }
  return client;
}

/** The URL without its password, for messages. */
function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Applies every pending migration of `options.dir` to `databaseUrl`, each in its own transaction,
 * under an advisory lock; a run with nothing pending changes nothing and says so. Throws
 * {@link MigrationHistoryError} before touching the schema when the files and the applied history
 * disagree, and {@link MigrationFailedError} when a file's SQL fails (that file is rolled back; the
 * files before it stay applied).
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const dir = options.dir ?? migrationsDir;
  const files = await readMigrationFiles(dir);
  const client = await connect(databaseUrl);
  let locked = false;
  try {
    // Waits for a concurrent run to finish; that run's work is then seen as already applied.
    await client.query('select pg_advisory_lock($1)', [migrationLockKey.toString()]);
    locked = true;
    await client.query(
      // In public, beside node-pg-migrate's table (its default schema), whatever the search_path.
      `create table if not exists public.${checksumTable} (
         name varchar(255) primary key,
         checksum char(64) not null,
         applied_at timestamptz not null default now())`,
    );
    const history = await readHistory(client);
    checkHistory(history, files);
    const alreadyApplied = files.slice(0, history.length).map((file) => file.fileName);
    const pending = files.slice(history.length);
    if (pending.length === 0) {
      log(`database is up to date: ${files.length} migrations already applied, nothing to do`);
      return { applied: [], alreadyApplied };
    }

    const applied: string[] = [];
    for (const file of pending) {
      const started = performance.now();
      try {
        const ran = await runner({
          dbClient: client,
          dir,
          migrationsTable: migrationTable,
          // The library then sets search_path to public: the files' unqualified names land there
          // whatever the role's default search_path is.
          schema: 'public',
          direction: 'up',
          file: file.name,
          checkOrder: true,
          singleTransaction: false,
          noLock: true,
          migrationLoaderStrategies: [{ extensions: ['.sql'], loader: checksummedSqlLoader(files) }],
          logger: quietLogger(log),
        });
        if (ran.length !== 1 || ran[0]?.name !== file.name) {
          throw new BugError('MIGRATION.UNEXPECTED_RUN', `expected node-pg-migrate to apply ${file.fileName}, it applied [${ran.map((m) => m.name).join(', ')}]`);
        }
      } catch (error) {
        // The library leaves a failed file's transaction open; end it so the session stays usable.
        await client.query('rollback').catch(() => undefined);
        const elapsed = Math.round(performance.now() - started);
        // Only the file's own SQL can fail at a position: the other statements of the transaction
        // (begin, the two bookkeeping inserts, commit) are fixed text.
        const position = Number((error as { position?: unknown }).position);
        const where = Number.isFinite(position) && position > 0 ? ` at line ${lineOf(file.sql, position)}` : '';
        log(`applying ${file.fileName} ... failed after ${elapsed} ms`);
        if (error instanceof BugError) throw error;
        throw new MigrationFailedError(
          'MIGRATION.FAILED',
          `migration ${file.fileName} failed${where}: ${(error as Error).message}; it was rolled back, ${applied.length} earlier migration(s) of this run stay applied`,
          { migration: file.fileName, applied },
          { cause: error },
        );
      }
      applied.push(file.fileName);
      log(`applying ${file.fileName} ... done in ${Math.round(performance.now() - started)} ms`);
    }
    log(`applied ${applied.length} migration(s); ${files.length} in total`);
    return { applied, alreadyApplied };
  } finally {
    if (locked) await client.query('select pg_advisory_unlock($1)', [migrationLockKey.toString()]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
