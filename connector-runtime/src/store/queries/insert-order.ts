/** Inserts the `customer_order` row of a new order at version 0. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';
import type { CompletionPolicy, OrderStatus } from '../../domain/vocabulary';

/** Values of a new order row. */
export interface InsertOrderParams {
  tenantId: string;
  orderId: string;
  externalRef: string | null;
  status: OrderStatus;
  completionPolicy: CompletionPolicy;
  orderVersion: number;
  /** The accepted quote the order was converted from. */
  quoteId?: string | null;
  /** The customer reference the quote carried. */
  customer?: Record<string, unknown> | null;
}

const query = {
  name: 'insert-order',
  text: `insert into customer_order (tenant_id, id, external_ref, status, completion_policy, order_version, quote_id, customer)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         returning version::text as version`,
};

/** Inserts the order row; returns its version as pg sends it (a decimal string). */
export async function insertOrder(db: Queryable, params: InsertOrderParams): Promise<string> {
  const result = await runQuery<{ version: string }>(db, query, [
    params.tenantId,
    params.orderId,
    params.externalRef,
    params.status,
    params.completionPolicy,
    params.orderVersion,
    params.quoteId ?? null,
    jsonParameter(params.customer ?? null),
  ]);
  return result.rows[0]!.version;
}
