/**
 * The one place that sends a named query. Every file in `queries/` declares a fixed statement name
 * and text; pg prepares a named statement once per connection and reuses the plan, and the name
 * shows up in `pg_stat_statements` and server logs, so a slow or failing query is found by name.
 */
import type pg from 'pg';
import type { Queryable } from './database';

/** A statement of `queries/`: stable name, SQL text with `$n` parameters only. */
export interface NamedQuery {
  readonly name: string;
  readonly text: string;
}

/** Runs a named query with its parameter values and returns pg's result with typed rows. */
export async function runQuery<Row extends pg.QueryResultRow>(
  db: Queryable,
  query: NamedQuery,
  values: readonly unknown[],
): Promise<pg.QueryResult<Row>> {
  // Pool and PoolClient share this call shape; the cast only chooses one of the two overload sets.
  return (db as pg.PoolClient).query<Row>({ name: query.name, text: query.text, values: [...values] });
}

/**
 * A named statement as a function: `defineQuery<Row>('select-x', 'select ...')` gives
 * `(db, values) => rows`. For the query files that hold several small statements of one table.
 */
export function defineQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(name: string, text: string): (db: Queryable, values: readonly unknown[]) => Promise<Row[]> {
  const query: NamedQuery = { name, text };
  return async (db, values) => (await runQuery<Row>(db, query, values)).rows;
}
