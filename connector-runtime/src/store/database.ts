/**
 * Connection pool and transactions. PostgreSQL errors that a retry may cure (connection loss,
 * serialization failure, deadlock, shutdown) become `TransientError`, so the job adapter retries
 * them with back-off instead of raising an incident.
 */
import pg from 'pg';
import { TransientError } from '../errors';

/** What a query runs on: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A client inside an open transaction. */
export type Tx = pg.PoolClient;

/**
 * Opens a pool; bigint columns (versions, counters) come back as strings, which callers convert.
 * An idle connection that the server drops (restart, shutdown) emits an error on the pool; without a
 * listener that would crash the process, so it is reported and the pool opens a new connection.
 * Once the pool is ending, a dropped connection is what was asked for, and is not reported: `end()`
 * resolves before the server has seen every connection close, so a database stopped right after it
 * (the embedded one, on Ctrl-C) may still drop one.
 */
export function createPool(
  connectionString: string,
  options: { max?: number; onIdleError?: (error: Error) => void } = {},
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  pool.on('error', (error) => {
    if (!pool.ending) options.onIdleError?.(error);
  });
  // pg-pool stops listening for a client's errors when it hands the client out, and a caller of
  // `await pool.connect()` can listen only a microtask later. A server being restarted may send a
  // new connection's "ready" and its termination (57P01) in one network read: the error is then
  // emitted in between, unheard, and ends the process. Heard for the client's whole life, it only
  // makes the client unqueryable, so the caller's next statement fails as transient.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

// SQLSTATE classes and codes where the same statement may succeed when tried again.
const transientSqlStates = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300']);
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** True when a database error is worth retrying. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable/i.test(error.message);
  }
  return transientSqlStates.has(code) || code.startsWith('08') || transientNodeCodes.has(code);
}

/** Re-throws database errors as typed errors where their kind is known. */
export function toTypedError(error: unknown): unknown {
  if (isTransientDatabaseError(error)) {
    return new TransientError('DB.UNAVAILABLE', `database temporarily unavailable: ${(error as Error).message}`, {}, { cause: error });
  }
  return error;
}

/**
 * Runs `work` in one transaction: commit when it resolves, roll back when it throws. Nothing
 * `work` wrote survives a failure, so a state change and its audit and outbox rows are atomic.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toTypedError(error);
  }
  // A connection whose rollback failed is broken: it is destroyed rather than returned to the pool.
  let broken: Error | undefined;
  // pg-pool stops listening for a client's errors while it is checked out: a connection the server
  // drops between two statements (a restart while `work` awaits something else, e.g. the relay's
  // Kafka send) would emit an unheard 'error' and crash the process. Heard here, the next
  // statement fails, the transaction is rolled back, and the client is destroyed.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken ??= rollbackError;
    });
    throw toTypedError(error);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
