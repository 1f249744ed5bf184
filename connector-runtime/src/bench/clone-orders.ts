/**
 * Stored history for the bench, fast: every row of one order (order, items, plan, tasks,
 * dependencies, attempts, partner calls, callbacks, evidence, installed base, audit, outbox,
 * workflow rows) copied `count` times with SQL. Each copy gets its own ids, derived from the
 * template's (md5 of the id and the copy number): the same template id maps to the same new id in every
 * table, so foreign keys hold, and text keys that embed ids (idempotency keys, correlation keys,
 * business keys) are rewritten the same way, so unique keys hold. JSON payloads are copied as they
 * are (their size is what matters for the table), and identity columns are numbered afresh.
 */
import type pg from 'pg';

/** A table of the OMS schema and how the template order's rows of it are found. */
interface ClonedTable {
  table: string;
  /** SQL condition on the template's rows; `$1` is the template order id, `$2` its tenant. */
  where: string;
}

// In foreign-key order: a copy is inserted after everything it references.
const tables: readonly ClonedTable[] = [
  { table: 'customer_order', where: 'tenant_id = $2 and id = $1' },
  { table: 'order_item', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'fulfillment_plan', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'fulfillment_task', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'fulfillment_task_dependency', where: `tenant_id = $2 and fulfillment_plan_id in (select id from fulfillment_plan where tenant_id = $2 and order_id = $1)` },
  { table: 'fulfillment_execution', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'order_workflow_ref', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'workflow_start_request', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'fulfillment_task_attempt', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'external_call_attempt', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'callback_inbox', where: `tenant_id = $2 and external_call_attempt_id in (select id from external_call_attempt where tenant_id = $2 and order_id = $1)` },
  { table: 'task_evidence', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'installed_base_asset', where: 'tenant_id = $2 and created_by_order_id = $1' },
  { table: 'asset_version', where: 'tenant_id = $2 and source_order_id = $1' },
  { table: 'fallout_case', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'audit_log', where: 'tenant_id = $2 and order_id = $1' },
  { table: 'outbox', where: `tenant_id = $2 and correlation_id = $1::text` },
  { table: 'workflow_message_correlation', where: `tenant_id = $2 and correlation_key like '%' || $1::text || '%'` },
];

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * The id a copy gives to a template id (`expression`, text): md5 of the id and the copy's suffix,
 * with the version and variant digits of a random (v4) UUID, so it passes the UUID checks of the
 * job and API schemas.
 */
function derivedUuid(expression: string): string {
  return `overlay(overlay(md5(${expression}) placing '4' from 13) placing '8' from 17)::uuid`;
}

// Rewrites every id inside a text the way uuid columns are rewritten.
const remapFunction = `
create or replace function pg_temp.bench_remap(value text, suffix text) returns text language plpgsql immutable as $$
declare id text;
begin
  if value is null then return null; end if;
  for id in select distinct (regexp_matches(value, '${uuidPattern}', 'g'))[1] loop
    value := replace(value, id, ${derivedUuid('id || suffix')}::text);
  end loop;
  return value;
end $$`;

// Text columns that take part in a unique key somewhere in the schema.
const uniqueTextColumns = new Set(['external_ref', 'webhook_id', 'idempotency_key', 'business_key', 'correlation_key', 'external_correlation_id', 'process_instance_key']);

interface Column {
  name: string;
  type: string;
  identity: boolean;
}

async function columnsOf(client: pg.PoolClient, table: string): Promise<Column[]> {
  const result = await client.query<{ column_name: string; data_type: string; is_identity: string }>(
    `select column_name, data_type, is_identity from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return result.rows.map((row) => ({ name: row.column_name, type: row.data_type, identity: row.is_identity === 'YES' }));
}

/** The select list of a copy: uuid columns mapped, id-bearing text columns rewritten, the rest as is. */
async function copyExpressions(client: pg.PoolClient, cloned: ClonedTable, templateOrderId: string, tenantId: string): Promise<{ names: string[]; expressions: string[] }> {
  const columns = (await columnsOf(client, cloned.table)).filter((column) => !column.identity);
  const textColumns = columns.filter((column) => column.type === 'character varying' || column.type === 'text');
  // Only text columns that hold an id in the template's rows are rewritten: a column that is an id
  // as a whole (a correlation id) inline, one that embeds ids (a key) through the function.
  const withIds = new Set<string>();
  const wholeIds = new Set<string>();
  if (textColumns.length > 0) {
    const probe = await client.query<Record<string, boolean>>(
      `select ${textColumns
        .map((column) => `bool_or(${column.name} ~ '${uuidPattern}') as "some:${column.name}", bool_and(${column.name} is null or ${column.name} ~ '^${uuidPattern}$') as "all:${column.name}"`)
        .join(', ')} from ${cloned.table} where ${cloned.where}`,
      [templateOrderId, tenantId],
    );
    const row = probe.rows[0] ?? {};
    for (const column of textColumns) {
      if (!row[`some:${column.name}`]) continue;
      if (row[`all:${column.name}`]) wholeIds.add(column.name);
      else withIds.add(column.name);
    }
  }
  const expressions = columns.map((column) => {
    if (column.type === 'uuid') return derivedUuid(`${column.name}::text || s.suffix`);
    if (wholeIds.has(column.name)) return `(${derivedUuid(`${column.name} || s.suffix`)})::text`;
    if (withIds.has(column.name)) return `pg_temp.bench_remap(${column.name}, s.suffix)`;
    // Unique text keys that hold no id (a partner's webhook-id, a process instance key, an external
    // reference) get the copy number, so copies stay apart.
    if (uniqueTextColumns.has(column.name)) return `${column.name} || s.suffix`;
    return column.name;
  });
  return { names: columns.map((column) => column.name), expressions };
}

/** Plain (non-constraint) indexes of `tables`, with the statements that create them again. */
async function plainIndexes(client: pg.PoolClient, names: readonly string[]): Promise<{ name: string; definition: string }[]> {
  const result = await client.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes i
      where schemaname = 'public' and tablename = any($1) and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [names],
  );
  return result.rows.map((row) => ({ name: row.indexname, definition: row.indexdef }));
}

/**
 * Copies every row of the template order `count` times, in batches of `batchSize` copies (one
 * transaction each) spread over `parallel` connections; `progress` is told after each batch. Copy
 * numbers start at `firstCopy`, so a later call adds more copies of the same template without
 * colliding with earlier ones. With `rebuildIndexes`, the tables' plain indexes are dropped for the
 * copy and built again afterwards (much faster than maintaining them row by row for a large copy;
 * unique and primary keys stay and are checked as usual).
 */
export async function cloneOrder(
  pool: pg.Pool,
  template: { tenantId: string; orderId: string },
  count: number,
  options: { firstCopy?: number; batchSize?: number; parallel?: number; rebuildIndexes?: boolean; progress?: (copied: number) => void } = {},
): Promise<{ rowsPerOrder: number }> {
  const batchSize = options.batchSize ?? 2000;
  const firstCopy = options.firstCopy ?? 1;
  const plans: { table: string; sql: string; rows: number }[] = [];
  let dropped: { name: string; definition: string }[] = [];
  const client = await pool.connect();
  try {
    for (const cloned of tables) {
      const rows = Number((await client.query<{ n: string }>(`select count(*) as n from ${cloned.table} where ${cloned.where}`, [template.orderId, template.tenantId])).rows[0]!.n);
      if (rows === 0) continue;
      const { names, expressions } = await copyExpressions(client, cloned, template.orderId, template.tenantId);
      plans.push({
        table: cloned.table,
        rows,
        sql: `insert into ${cloned.table} (${names.join(', ')})
              select ${expressions.join(', ')}
                from (select * from ${cloned.table} where ${cloned.where}) t
                cross join (select n, ':' || n as suffix from generate_series($3::int, $4::int) n) s`,
      });
    }
    if (options.rebuildIndexes) {
      dropped = await plainIndexes(client, plans.map((plan) => plan.table));
      for (const index of dropped) await client.query(`drop index ${index.name}`);
    }
  } finally {
    client.release();
  }
  const ranges: [number, number][] = [];
  for (let from = firstCopy; from < firstCopy + count; from += batchSize) ranges.push([from, Math.min(firstCopy + count - 1, from + batchSize - 1)]);
  let copied = 0;
  const worker = async () => {
    const session = await pool.connect();
    try {
      await session.query(remapFunction);
      for (let range = ranges.shift(); range; range = ranges.shift()) {
        await session.query('begin');
        try {
          // The copies keep the template's references by construction; checking each foreign key
          // row by row would cost most of the copy's time.
          await session.query('set local session_replication_role = replica');
          for (const plan of plans) await session.query(plan.sql, [template.orderId, template.tenantId, range[0], range[1]]);
          await session.query('commit');
        } catch (error) {
          await session.query('rollback').catch(() => undefined);
          throw error;
        }
        copied += range[1] - range[0] + 1;
        options.progress?.(copied);
      }
    } finally {
      session.release();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  } finally {
    for (const index of dropped) await pool.query(index.definition);
  }
  return { rowsPerOrder: plans.reduce((sum, plan) => sum + plan.rows, 0) };
}
