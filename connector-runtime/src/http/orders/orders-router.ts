/**
 * The order API's intake and read side (issue 11; docs/architecture.md §6):
 * - `POST /api/v1/orders`: an accepted quote becomes an order (`order-intake.ts`); 201 with
 *   `Location`, `ETag` and the order view;
 * - `GET /api/v1/orders`, `GET /api/v1/orders/{orderId}`: the tenant's orders, newest first, and
 *   one order with its latest plan and workflow ref (`ETag` = the row's version);
 * - `GET /api/v1/orders/{orderId}/fulfillment-plan | fulfillment-tasks | timeline`: the latest
 *   plan, its tasks with attempts, external calls and evidence, and everything that happened;
 * - `GET /api/v1/fallout-cases`: the tenant's fallout cases, open ones by default.
 * Every route acts for the caller's tenant (`res.locals.principal`) and every statement filters by
 * it, so another tenant's id answers the same 404 as an unknown one. Input is parsed with zod at
 * the edge; errors are typed and the app's problem handler writes them as problem+json.
 */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { acceptOrder } from './order-intake';
import { listFalloutCases, listOrders, readOrderView, readPlanView, readTaskActivity, readTimeline } from './order-reads';
import { principalOf } from '../auth/principal';
import { parseInput } from './request';
import { falloutCaseListQuerySchema, orderListQuerySchema, orderPathSchema } from './schemas';

/** The collection path of orders; an order's own path is `<ordersPath>/<orderId>`. */
export const ordersPath = '/api/v1/orders';

/**
 * A body sent as something other than JSON: 415. Like body-parser's own errors it carries its
 * HTTP status, which the problem handler answers as it is (the typed errors have no 415).
 */
export class UnsupportedMediaTypeError extends Error {
  readonly status = 415;
  constructor(received: string | undefined) {
    super(`the body must be application/json, not ${received ?? 'absent'}`);
    this.name = 'UnsupportedMediaTypeError';
  }
}

const etagOf = (version: number): string => `"${version}"`;

/** Builds the router; mount it after the authentication middleware that sets `res.locals.principal`. */
export function ordersRouter(pool: pg.Pool): Router {
  const router = Router();
  const orderIdOf = (req: Request): string => parseInput(orderPathSchema, req.params, 'path').orderId;

  router.post(ordersPath, async (req: Request, res: Response) => {
    const principal = principalOf(res);
    if (!req.is(['application/json', 'application/*+json'])) throw new UnsupportedMediaTypeError(req.get('content-type'));
    const orderId = await acceptOrder(pool, principal, req.body);
    const { view, version } = await readOrderView(pool, principal.tenantId, orderId);
    res.status(201).location(`${ordersPath}/${orderId}`).set('ETag', etagOf(version)).json(view);
  });

  router.get(ordersPath, async (req, res) => {
    const { tenantId } = principalOf(res);
    res.json(await listOrders(pool, tenantId, parseInput(orderListQuerySchema, req.query, 'query')));
  });

  router.get(`${ordersPath}/:orderId`, async (req, res) => {
    const { tenantId } = principalOf(res);
    const { view, version } = await readOrderView(pool, tenantId, orderIdOf(req));
    res.set('ETag', etagOf(version)).json(view);
  });

  router.get(`${ordersPath}/:orderId/fulfillment-plan`, async (req, res) => {
    res.json(await readPlanView(pool, principalOf(res).tenantId, orderIdOf(req)));
  });

  router.get(`${ordersPath}/:orderId/fulfillment-tasks`, async (req, res) => {
    res.json(await readTaskActivity(pool, principalOf(res).tenantId, orderIdOf(req)));
  });

  router.get(`${ordersPath}/:orderId/timeline`, async (req, res) => {
    res.json(await readTimeline(pool, principalOf(res).tenantId, orderIdOf(req)));
  });

  router.get('/api/v1/fallout-cases', async (req, res) => {
    const { tenantId } = principalOf(res);
    res.json(await listFalloutCases(pool, tenantId, parseInput(falloutCaseListQuerySchema, req.query, 'query')));
  });

  return router;
}
