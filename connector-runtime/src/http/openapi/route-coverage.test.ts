import express, { Router } from 'express';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { HandlerDeps } from '../../jobs/handler-deps';
import { callbacksRouter } from '../callbacks-router';
import { opsRouter } from '../ops-router';
import { internalWorkflowsRouter } from '../order-commands/internal-workflows-router';
import { orderCommandsRouter } from '../order-commands/order-commands-router';
import { ordersRouter } from '../orders/orders-router';
import { apiRoutes } from './api-document';
import { listRoutes } from './list-routes';
import { openApiRouter } from './openapi-router';

// The routers are built, never called: their dependencies are stand-ins.
const pool = {} as pg.Pool;

/** An app serving every router of the API, as `runtime.ts` mounts them (order does not matter here). */
function appWithEveryRouter(): express.Express {
  const app = express();
  app.use(opsRouter(new Registry(), []));
  app.use(openApiRouter());
  app.use(callbacksRouter(pool, {}));
  app.use(ordersRouter(pool));
  app.use(orderCommandsRouter(pool, { restAddress: undefined }));
  app.use(internalWorkflowsRouter({ pool, partners: {} } as unknown as HandlerDeps));
  return app;
}

// The reference page's own files are not API routes.
const pageAssets = /^\/docs\/assets\//;

describe('route coverage of the OpenAPI document', () => {
  it('given the app with every router, then each route it serves is in the route table', () => {
    const served = listRoutes(appWithEveryRouter()).filter((route) => !pageAssets.test(route.path));
    const documented = new Set(apiRoutes.map((route) => `${route.method} ${route.path}`));
    const missing = served.map((route) => `${route.method} ${route.path}`).filter((route) => !documented.has(route));
    expect(missing).toEqual([]);
    expect(served.length).toBeGreaterThan(25);
  });

  it('given the route table, then each of its routes is served (no stale rows)', () => {
    const served = new Set(listRoutes(appWithEveryRouter()).map((route) => `${route.method} ${route.path}`));
    expect(apiRoutes.map((route) => `${route.method} ${route.path}`).filter((route) => !served.has(route))).toEqual([]);
  });
});

describe('listRoutes', () => {
  it('given nested routers mounted under prefixes, then it lists full paths in OpenAPI form, middleware left out', () => {
    const inner = Router();
    inner.get('/items/:itemId', (_req, res) => void res.end());
    inner.post('/items', (_req, res) => void res.end());
    const outer = Router();
    outer.use('/v1', inner);
    outer.use(express.json());
    const app = express();
    app.use('/api', outer);
    app.get('/health', (_req, res) => void res.end());
    app.route('/things/:thingId').get((_req, res) => void res.end()).delete((_req, res) => void res.end());
    expect(listRoutes(app)).toEqual([
      { method: 'post', path: '/api/v1/items' },
      { method: 'get', path: '/api/v1/items/{itemId}' },
      { method: 'get', path: '/health' },
      { method: 'delete', path: '/things/{thingId}' },
      { method: 'get', path: '/things/{thingId}' },
    ]);
  });

  it('given a route added to a router without a row in the table, then the coverage check sees it', () => {
    const app = appWithEveryRouter();
    app.post('/api/v1/orders/:orderId/undocumented', (_req, res) => void res.end());
    const documented = new Set(apiRoutes.map((route) => `${route.method} ${route.path}`));
    expect(listRoutes(app).filter((route) => !documented.has(`${route.method} ${route.path}`) && !pageAssets.test(route.path))).toEqual([
      { method: 'post', path: '/api/v1/orders/{orderId}/undocumented' },
    ]);
  });
});
