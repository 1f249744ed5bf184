import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test/helpers/database';
import type { TestDatabase } from '../test/helpers/database';
import { migrate } from './migrate-lib';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('constraints');
  await migrate(db.url);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const hash = `sha256:${'ab'.repeat(32)}`;

/** Inserts one row; `values` keys are column names. */
async function insert(table: string, values: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(values);
  await client.query(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
    Object.values(values),
  );
}

/** Expects the statement to fail on the named constraint with the given SQLSTATE. */
async function expectViolation(statement: Promise<unknown>, code: string, constraint: string): Promise<void> {
  await expect(statement).rejects.toMatchObject({ code, constraint });
}

const UNIQUE = '23505';
const FOREIGN_KEY = '23503';
const CHECK = '23514';

interface PlanFixture {
  tenantId: string;
  orderId: string;
  itemId: string;
  planId: string;
  taskIds: [string, string];
}

/** An order with one item and a plan of two tasks, for one tenant. */
async function planFixture(tenantId = `tenant-${randomUUID().slice(0, 8)}`): Promise<PlanFixture> {
  const orderId = randomUUID();
  const itemId = randomUUID();
  const planId = randomUUID();
  const taskIds: [string, string] = [randomUUID(), randomUUID()];
  await insert('customer_order', { tenant_id: tenantId, id: orderId, status: 'DECOMPOSED', completion_policy: 'COMPLETION_REQUIRES_BILLING_ACTIVE', order_version: 1 });
  await insert('order_item', {
    tenant_id: tenantId,
    id: itemId,
    order_id: orderId,
    line_no: 1,
    action: 'ADD',
    product_type: 'NETWORK_SERVICE',
    product_code: 'FIBER-500',
    status: 'DECOMPOSED',
  });
  await insert('fulfillment_plan', {
    tenant_id: tenantId,
    id: planId,
    order_id: orderId,
    order_version: 1,
    catalog_version: '2026.1',
    completion_policy: 'COMPLETION_REQUIRES_BILLING_ACTIVE',
    status: 'CREATED',
  });
  for (const [index, taskId] of taskIds.entries()) {
    await insert('fulfillment_task', {
      tenant_id: tenantId,
      id: taskId,
      fulfillment_plan_id: planId,
      order_id: orderId,
      order_item_id: itemId,
      sequence: index + 1,
      template_id: `template-${index + 1}`,
      task_type: index === 0 ? 'RESERVE_RESOURCE' : 'CREATE_PROVISIONING_REQUEST',
      phase: index === 0 ? 'RESERVATION' : 'PROVISIONING',
      execution_mode: 'AUTOMATED_SYNC',
      owner_system: 'inventory-adapter',
      status: index === 0 ? 'READY' : 'PENDING',
      input_snapshot_hash: hash,
      retry_policy: { maxAttempts: 3, backoff: 'PT30S' },
      compensation_policy: { compensatable: false },
    });
  }
  return { tenantId, orderId, itemId, planId, taskIds };
}

function attempt(plan: PlanFixture, values: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    tenant_id: plan.tenantId,
    order_id: plan.orderId,
    fulfillment_task_id: plan.taskIds[0],
    attempt_no: 1,
    status: 'STARTED',
    idempotency_key: `${plan.tenantId}:${plan.orderId}:${plan.taskIds[0]}:execute`,
    started_at: new Date(),
    ...values,
  };
}

describe('seed §21 keys', () => {
  it('fulfillment_task_attempt: one attempt per (tenant, task, idempotency key) and per attempt number', async () => {
    const plan = await planFixture();
    await insert('fulfillment_task_attempt', attempt(plan));

    await expectViolation(insert('fulfillment_task_attempt', attempt(plan, { attempt_no: 2 })), UNIQUE, 'fulfillment_task_attempt_idempotency_key_key');
    await expectViolation(
      insert('fulfillment_task_attempt', attempt(plan, { idempotency_key: 'another-key' })),
      UNIQUE,
      'fulfillment_task_attempt_attempt_no_key',
    );
    await insert('fulfillment_task_attempt', attempt(plan, { attempt_no: 2, idempotency_key: 'another-key' }));
  });

  it('fulfillment_execution: one execution per (tenant, order, plan)', async () => {
    const plan = await planFixture();
    const execution = { tenant_id: plan.tenantId, order_id: plan.orderId, fulfillment_plan_id: plan.planId, status: 'RUNNING', started_at: new Date() };
    await insert('fulfillment_execution', { id: randomUUID(), ...execution });
    await expectViolation(insert('fulfillment_execution', { id: randomUUID(), ...execution }), UNIQUE, 'fulfillment_execution_plan_key');
  });

  it('order_workflow_ref: one process instance reference per (tenant, order, plan)', async () => {
    const plan = await planFixture();
    const ref = (key: string) => ({
      tenant_id: plan.tenantId,
      order_id: plan.orderId,
      fulfillment_plan_id: plan.planId,
      process_id: 'order-fulfillment-v1',
      process_instance_key: key,
      status: 'ACTIVE',
      started_at: new Date(),
    });
    await insert('order_workflow_ref', ref('2251799813685249'));
    await expectViolation(insert('order_workflow_ref', ref('2251799813685250')), UNIQUE, 'order_workflow_ref_pkey');
  });

  it('workflow_message_correlation: one message per (tenant, name, correlation key, cause), per tenant', async () => {
    const causeId = randomUUID();
    const correlation = (tenantId: string, cause = causeId) => ({
      id: randomUUID(),
      tenant_id: tenantId,
      process_instance_key: '2251799813685249',
      message_name: 'provisioning-completed',
      correlation_key: 'tenant-a:ord-1:ft-1',
      aggregate_type: 'FulfillmentTask',
      aggregate_id: randomUUID(),
      cause_id: cause,
      status: 'PENDING',
      created_at: new Date(),
    });
    const tenant = `tenant-${randomUUID().slice(0, 8)}`;
    await insert('workflow_message_correlation', correlation(tenant));
    await expectViolation(insert('workflow_message_correlation', correlation(tenant)), UNIQUE, 'workflow_message_correlation_key');
    await insert('workflow_message_correlation', correlation(`${tenant}-other`));
    // A retried task waits again on the same key: its new attempt is a new cause, so a new message.
    await insert('workflow_message_correlation', correlation(tenant, randomUUID()));
  });
});

describe('plan graph', () => {
  it('rejects a task that depends on itself', async () => {
    const plan = await planFixture();
    const [first] = plan.taskIds;
    await expectViolation(
      insert('fulfillment_task_dependency', { tenant_id: plan.tenantId, fulfillment_plan_id: plan.planId, task_id: first, depends_on_task_id: first }),
      CHECK,
      'fulfillment_task_dependency_not_self_check',
    );
  });

  it('accepts a dependency inside a plan and rejects one reaching into another plan', async () => {
    const plan = await planFixture();
    const other = await planFixture(plan.tenantId);
    await insert('fulfillment_task_dependency', {
      tenant_id: plan.tenantId,
      fulfillment_plan_id: plan.planId,
      task_id: plan.taskIds[1],
      depends_on_task_id: plan.taskIds[0],
    });
    await expectViolation(
      insert('fulfillment_task_dependency', {
        tenant_id: plan.tenantId,
        fulfillment_plan_id: plan.planId,
        task_id: plan.taskIds[1],
        depends_on_task_id: other.taskIds[0],
      }),
      FOREIGN_KEY,
      'fulfillment_task_dependency_depends_on_fkey',
    );
  });

  it('rejects a reference to another tenant\'s row', async () => {
    const plan = await planFixture();
    await expectViolation(
      insert('order_item', {
        tenant_id: `${plan.tenantId}-intruder`,
        id: randomUUID(),
        order_id: plan.orderId,
        line_no: 1,
        action: 'ADD',
        product_type: 'ADD_ON',
        product_code: 'STATIC-IP',
        status: 'VALIDATED',
      }),
      FOREIGN_KEY,
      'order_item_order_fkey',
    );
  });

  it('rejects a task whose order item belongs to another order', async () => {
    const plan = await planFixture();
    const other = await planFixture(plan.tenantId);
    await expectViolation(
      client.query(`update fulfillment_task set order_item_id = $1 where tenant_id = $2 and id = $3`, [other.itemId, plan.tenantId, plan.taskIds[0]]),
      FOREIGN_KEY,
      'fulfillment_task_order_item_fkey',
    );
  });
});

describe('workflow start and callbacks', () => {
  it('workflow_start_request: the business key is tenantId:orderId:fulfillmentPlanId and starts once', async () => {
    const plan = await planFixture();
    const request = (businessKey: string) => ({
      tenant_id: plan.tenantId,
      id: randomUUID(),
      order_id: plan.orderId,
      fulfillment_plan_id: plan.planId,
      business_key: businessKey,
      process_id: 'order-fulfillment-v1',
      status: 'PENDING',
    });
    const businessKey = `${plan.tenantId}:${plan.orderId}:${plan.planId}`;
    await expectViolation(insert('workflow_start_request', request(`${plan.orderId}:${plan.planId}`)), CHECK, 'workflow_start_request_business_key_check');
    await insert('workflow_start_request', request(businessKey));
    await expectViolation(insert('workflow_start_request', request(businessKey)), UNIQUE, 'workflow_start_request_business_key_key');
  });

  it('callback_inbox: a re-delivered webhook-id of the same source is a duplicate', async () => {
    const tenant = `tenant-${randomUUID().slice(0, 8)}`;
    const callback = (sourceSystem: string) => ({
      tenant_id: tenant,
      id: randomUUID(),
      source_system: sourceSystem,
      webhook_id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      raw_payload: '{"status":"COMPLETED"}',
      payload_hash: hash,
    });
    await insert('callback_inbox', callback('provisioning'));
    await expectViolation(insert('callback_inbox', callback('provisioning')), UNIQUE, 'callback_inbox_dedupe_idx');
    await insert('callback_inbox', callback('shipping'));
  });

  it('external_call_attempt: one request per (tenant, system, external correlation id), for exactly one task', async () => {
    const plan = await planFixture();
    const call = (values: Record<string, unknown>) => ({
      tenant_id: plan.tenantId,
      id: randomUUID(),
      order_id: plan.orderId,
      fulfillment_task_id: plan.taskIds[1],
      external_system: 'provisioning',
      external_correlation_id: 'prov-123',
      idempotency_key: `${plan.tenantId}:${plan.orderId}:${plan.taskIds[1]}:submit`,
      request_hash: hash,
      status: 'SUBMITTED',
      ...values,
    });
    await insert('external_call_attempt', call({}));
    await expectViolation(insert('external_call_attempt', call({ idempotency_key: 'other' })), UNIQUE, 'external_call_attempt_correlation_key');
    await expectViolation(
      insert('external_call_attempt', call({ external_correlation_id: 'prov-124', fulfillment_task_id: null, idempotency_key: 'other' })),
      CHECK,
      'external_call_attempt_one_task_check',
    );
  });
});

describe('installed base', () => {
  async function asset(plan: PlanFixture): Promise<string> {
    const assetId = randomUUID();
    await insert('installed_base_asset', {
      tenant_id: plan.tenantId,
      id: assetId,
      product_type: 'NETWORK_SERVICE',
      product_code: 'FIBER-500',
      created_by_order_id: plan.orderId,
      created_by_order_item_id: plan.itemId,
    });
    return assetId;
  }

  function version(plan: PlanFixture, assetId: string, versionNo: number, status: string, sourceItemId: string): Record<string, unknown> {
    return {
      tenant_id: plan.tenantId,
      asset_id: assetId,
      version_no: versionNo,
      status,
      product_code: 'FIBER-500',
      source_order_id: plan.orderId,
      source_order_item_id: sourceItemId,
      valid_from: new Date('2026-07-01T00:00:00Z'),
      valid_to: status === 'ACTIVE' ? null : new Date('2026-07-02T00:00:00Z'),
    };
  }

  async function secondItem(plan: PlanFixture): Promise<string> {
    const itemId = randomUUID();
    await insert('order_item', {
      tenant_id: plan.tenantId,
      id: itemId,
      order_id: plan.orderId,
      line_no: 2,
      action: 'MODIFY',
      product_type: 'NETWORK_SERVICE',
      product_code: 'FIBER-500',
      status: 'DECOMPOSED',
    });
    return itemId;
  }

  it('rejects a second ACTIVE version of one asset', async () => {
    const plan = await planFixture();
    const assetId = await asset(plan);
    await insert('asset_version', version(plan, assetId, 1, 'ACTIVE', plan.itemId));
    await expectViolation(insert('asset_version', version(plan, assetId, 2, 'ACTIVE', await secondItem(plan))), UNIQUE, 'asset_version_one_active_idx');
  });

  it('accepts a new ACTIVE version once the previous one is SUPERSEDED', async () => {
    const plan = await planFixture();
    const assetId = await asset(plan);
    await insert('asset_version', version(plan, assetId, 1, 'SUPERSEDED', plan.itemId));
    await insert('asset_version', version(plan, assetId, 2, 'ACTIVE', await secondItem(plan)));
    const { rows } = await client.query(`select version_no from asset_version where tenant_id = $1 and asset_id = $2 and status = 'ACTIVE'`, [plan.tenantId, assetId]);
    expect(rows).toEqual([{ version_no: 2 }]);
  });

  it('rejects a second version made by the same order item (re-applying is recognised)', async () => {
    const plan = await planFixture();
    const assetId = await asset(plan);
    await insert('asset_version', version(plan, assetId, 1, 'SUPERSEDED', plan.itemId));
    await expectViolation(insert('asset_version', version(plan, assetId, 2, 'ACTIVE', plan.itemId)), UNIQUE, 'asset_version_source_item_key');
  });

  it('rejects an ACTIVE version with an end date', async () => {
    const plan = await planFixture();
    const assetId = await asset(plan);
    await expectViolation(
      insert('asset_version', { ...version(plan, assetId, 1, 'ACTIVE', plan.itemId), valid_to: new Date() }),
      CHECK,
      'asset_version_validity_check',
    );
  });
});

describe('schema-wide rules', () => {
  it('every table carries a NOT NULL tenant_id and says what it is for', async () => {
    const { rows } = await client.query<{ table: string; tenant_not_null: boolean | null; comment: string | null }>(
      `select c.relname as table, a.attnotnull as tenant_not_null, obj_description(c.oid, 'pg_class') as comment
         from pg_class c left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
        where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
          and c.relname not in ('schema_migration', 'schema_migration_checksum')`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(23);
    expect(rows.filter((row) => row.tenant_not_null !== true).map((row) => row.table)).toEqual([]);
    expect(rows.filter((row) => !row.comment).map((row) => row.table)).toEqual([]);
  });

  it('every foreign key joins on tenant_id, so no row can point at another tenant\'s', async () => {
    const { rows } = await client.query<{ name: string; columns: string[]; referenced: string[] }>(
      `select con.conname as name,
              array(select a.attname::text from unnest(con.conkey) k join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k) as columns,
              array(select a.attname::text from unnest(con.confkey) k join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k) as referenced
         from pg_constraint con where con.contype = 'f' and con.connamespace = 'public'::regnamespace`,
    );
    expect(rows.length).toBeGreaterThan(20);
    const offenders = rows.filter((row) => {
      const position = row.columns.indexOf('tenant_id');
      return position < 0 || row.referenced[position] !== 'tenant_id';
    });
    expect(offenders.map((row) => row.name)).toEqual([]);
  });

  it('every index of its own (not backing a key) is commented with the query path it serves', async () => {
    const { rows } = await client.query<{ name: string; comment: string | null }>(
      `select ic.relname as name, obj_description(ic.oid, 'pg_class') as comment
         from pg_index i join pg_class ic on ic.oid = i.indexrelid
        where ic.relnamespace = 'public'::regnamespace
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid)`,
    );
    expect(rows.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        'fulfillment_task_ready_idx',
        'outbox_unpublished_idx',
        'workflow_message_correlation_pending_idx',
        'workflow_start_request_pending_idx',
        'fallout_case_open_idx',
        'callback_inbox_dedupe_idx',
        'asset_version_one_active_idx',
      ]),
    );
    expect(rows.filter((row) => !row.comment).map((row) => row.name)).toEqual([]);
  });
});
