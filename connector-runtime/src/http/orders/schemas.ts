/**
 * The zod schemas of the order API's input: the intake body, path parameters and list queries.
 * Items are the domain's order items (`domain/order.ts`), checked by `parseOrder` with every
 * cross-item rule; this file adds only what the API itself accepts around them.
 */
import { z } from 'zod';
import { completionPolicies, falloutCaseStatuses, falloutCategories, orderStatuses } from '../../domain/vocabulary';
import { decodeCursor, type PageKey } from './cursor';

/** The completion policy of an order whose intake names none. */
export const defaultCompletionPolicy = 'COMPLETION_REQUIRES_BILLING_ACTIVE' satisfies (typeof completionPolicies)[number];
/** The business version of an order whose intake names none. */
export const defaultOrderVersion = 1;

// PostgreSQL text cannot hold U+0000, and other control characters have no place in a reference.
const text = (max: number) => z.string().min(1).max(max).regex(/^[^\p{Cc}]*$/u, 'no control characters');

/** Who the order is for: a small reference object, not a customer record. */
export const customerSchema = z.strictObject({
  customerId: text(64).optional(),
  name: text(200).optional(),
  email: z.email().max(254).optional(),
  phone: text(32).optional(),
});

/**
 * `POST /api/v1/orders`: an accepted quote turned into an order. Tenant and order id are the
 * server's (the caller's principal, a new UUID), so the body cannot name them. `items` stay
 * `unknown` here: `parseOrder` checks them with the domain's rules and paths.
 */
export const orderIntakeBodySchema = z.strictObject({
  quoteId: text(128).optional(),
  externalRef: text(128).optional(),
  orderVersion: z.number().int().min(0).default(defaultOrderVersion),
  completionPolicy: z.enum(completionPolicies).default(defaultCompletionPolicy),
  customer: customerSchema.optional(),
  items: z.unknown(),
});
/** See {@link orderIntakeBodySchema}. */
export type OrderIntakeBody = z.output<typeof orderIntakeBodySchema>;

/** Path of the routes under one order. */
export const orderPathSchema = z.strictObject({ orderId: z.uuid() });

/** A query parameter given once, several times (`?status=A&status=B`) or comma-separated (`?status=A,B`). */
function oneOrMore<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (raw) => (Array.isArray(raw) ? raw : [raw]).flatMap((part: unknown) => (typeof part === 'string' ? part.split(',') : [part])),
    z
      .array(z.enum(values))
      .min(1)
      .max(values.length)
      .transform((chosen) => [...new Set(chosen)]),
  );
}

const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = z
  .string()
  .transform((value, context): PageKey => {
    const key = decodeCursor(value);
    if (key === undefined) {
      context.addIssue({ code: 'custom', message: 'not a cursor this API issued; pass nextCursor back unchanged' });
      return z.NEVER;
    }
    return key;
  })
  .optional();

/** `GET /api/v1/orders`: status filter, page size and the cursor of the previous page. */
export const orderListQuerySchema = z.strictObject({
  status: oneOrMore(orderStatuses).optional(),
  limit,
  cursor,
});

/** `GET /api/v1/fallout-cases`: open cases by default, by category and by the system they came from. */
export const falloutCaseListQuerySchema = z.strictObject({
  status: oneOrMore(falloutCaseStatuses).default(['OPEN']),
  category: oneOrMore(falloutCategories).optional(),
  ownerSystem: text(128).optional(),
  limit,
  cursor,
});
