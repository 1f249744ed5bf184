/**
 * Order intake (`POST /api/v1/orders`, issue 11): an accepted quote becomes a VALIDATED order. In
 * order, each refusal leaving no row:
 * - the body is a JSON object whose every string can be stored (no U+0000, which PostgreSQL text
 *   and jsonb refuse) and whose nesting is bounded — 400 naming the path;
 * - the envelope (quote, external reference, version, completion policy, customer) and the items,
 *   with every cross-item rule of `parseOrder`, all reported at once — 400 listing each field;
 * - every item has a decomposition rule in the catalog, and the dry-run decomposition gives a plan
 *   that can run — 422 with the catalog's code and the item's path;
 * - the external reference is not taken by another order of the tenant — 422.
 * Tenant and order id are the server's; the order is stored with `placeValidatedOrder`, the same
 * intake command the demo uses. The quote id and the customer reference are stored with the order.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { placeValidatedOrder } from '../../commands/start-fulfillment';
import { defaultCatalog } from '../../domain/catalog-default';
import { findDecompositionRule, type Catalog } from '../../domain/catalog';
import { decompose } from '../../domain/decomposition';
import { randomIdFactory } from '../../domain/id-factory';
import { parseOrder, type Order } from '../../domain/order';
import { BusinessError, FulfillmentError, ValidationError } from '../../errors';
import type { Principal } from '../auth/principal';
import { issuesOf } from './request';
import { defaultCompletionPolicy, defaultOrderVersion, orderIntakeBodySchema } from './schemas';

/** The deepest nesting accepted in an intake body; the body object itself is level 1. */
export const intakeMaxDepth = 32;

type Issue = { path: string; message: string; code?: string };

/** Strings or keys PostgreSQL cannot store, and nesting beyond {@link intakeMaxDepth}, as issues. */
function unstorableJsonIssues(body: unknown): Issue[] {
  const issues: Issue[] = [];
  // Iterative, so a hostile nesting cannot exhaust the stack before it is refused.
  const stack: { value: unknown; path: string[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { value, path } = stack.pop()!;
    const at = path.join('.') || '(root)';
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.push({ path: at, message: 'U+0000 cannot be stored' });
    } else if (value !== null && typeof value === 'object') {
      if (path.length >= intakeMaxDepth) {
        issues.push({ path: at, message: `nested deeper than ${intakeMaxDepth} levels` });
        continue;
      }
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) issues.push({ path: at, message: 'a member name with U+0000 cannot be stored' });
        else stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return issues;
}

/**
 * The quote names its lines (`orderItemId`, `parentItemId`) for the request only: the same quote may
 * become several orders, so every item gets a new id here, and parent references follow it. A
 * reference to no line of the quote stays unknown (and `parseOrder` says so).
 */
function withServerItemIds(items: unknown): unknown {
  if (!Array.isArray(items)) return items;
  const ids = new Map<string, string>();
  const idOf = (ref: string) => ids.get(ref) ?? (ids.set(ref, randomUUID()), ids.get(ref)!);
  for (const item of items) {
    const ref = (item as { orderItemId?: unknown } | null)?.orderItemId;
    if (typeof ref === 'string') idOf(ref);
  }
  return items.map((item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const { orderItemId, parentItemId } = item as { orderItemId?: unknown; parentItemId?: unknown };
    return {
      ...item,
      ...(typeof orderItemId === 'string' ? { orderItemId: idOf(orderItemId) } : {}),
      ...(typeof parentItemId === 'string' ? { parentItemId: ids.get(parentItemId) ?? randomUUID() } : {}),
    };
  });
}

/** Validates the intake body into an order of `tenantId` with a new id; `ValidationError` listing every problem otherwise. */
export function orderFromIntake(tenantId: string, body: unknown): { order: Order; externalRef: string | undefined; quoteId: string | undefined; customer: Record<string, unknown> | undefined } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('the body must be a JSON object', [{ path: '(root)', message: 'expected a JSON object' }]);
  const unstorable = unstorableJsonIssues(body);
  if (unstorable.length > 0) throw new ValidationError('the body holds values that cannot be stored', unstorable);

  const envelope = orderIntakeBodySchema.safeParse(body);
  const issues: Issue[] = envelope.success ? [] : issuesOf(envelope.error);
  let order: Order | undefined;
  try {
    order = parseOrder({
      tenantId,
      orderId: randomUUID(),
      // When the envelope is invalid its own issues name these fields; the defaults avoid naming them twice.
      orderVersion: envelope.success ? envelope.data.orderVersion : defaultOrderVersion,
      completionPolicy: envelope.success ? envelope.data.completionPolicy : defaultCompletionPolicy,
      items: withServerItemIds((body as { items?: unknown }).items),
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The envelope already reports an unknown or missing `items`; the domain adds the items' own issues.
    issues.push(...error.issues.filter((issue) => !issues.some((known) => known.path === issue.path)));
  }
  if (!envelope.success || order === undefined || issues.length > 0) throw new ValidationError('order is invalid', issues);
  return { order, externalRef: envelope.data.externalRef, quoteId: envelope.data.quoteId, customer: envelope.data.customer };
}

/**
 * Refuses an order the catalog cannot decompose (422): every item without a rule is named with its
 * path, then a dry-run decomposition catches a plan that could not run. The code is the first
 * problem's (`CATALOG.UNKNOWN_PRODUCT`, `CATALOG.UNSUPPORTED_ACTION`, ...).
 */
export function assertDecomposable(order: Order, catalog: Catalog): void {
  const problems: { path: string; code: string; message: string }[] = [];
  order.items.forEach((item, index) => {
    try {
      findDecompositionRule(catalog, item.productCode, item.action, item.productType);
    } catch (error) {
      if (!(error instanceof FulfillmentError)) throw error;
      problems.push({ path: `items.${index}.productCode`, code: error.code, message: error.message });
    }
  });
  if (problems.length === 0) {
    try {
      decompose(order, catalog, { idFactory: randomIdFactory });
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error;
      problems.push({ path: 'items', code: error.code, message: error.message });
    }
  }
  if (problems.length > 0) {
    throw new BusinessError(problems[0]!.code, `the catalog cannot fulfil this order: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
}

/** Another order of the tenant already carries the external reference. */
export class ExternalRefTakenError extends BusinessError {
  constructor(externalRef: string) {
    super('ORDER.EXTERNAL_REF_TAKEN', `another order already has externalRef ${externalRef}`, { externalRef });
  }
}

/** Validates, checks against the catalog and stores the order; returns its new id. */
export async function acceptOrder(pool: pg.Pool, principal: Pick<Principal, 'subject' | 'tenantId'>, body: unknown, catalog: Catalog = defaultCatalog): Promise<string> {
  const { order, externalRef, quoteId, customer } = orderFromIntake(principal.tenantId, body);
  assertDecomposable(order, catalog);
  try {
    await placeValidatedOrder(pool, order, {
      actor: `api:${principal.subject}`,
      ...(externalRef === undefined ? {} : { externalRef }),
      ...(quoteId === undefined ? {} : { quoteId }),
      ...(customer === undefined ? {} : { customer }),
    });
  } catch (error) {
    const pgError = error as { code?: unknown; constraint?: unknown };
    if (externalRef !== undefined && pgError.code === '23505' && pgError.constraint === 'customer_order_external_ref_key') throw new ExternalRefTakenError(externalRef);
    throw error;
  }
  return order.orderId;
}
