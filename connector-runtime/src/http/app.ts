/**
 * The HTTP application: JSON body parsing with a size limit, the operational endpoints, the
 * feature routers, and problem+json for every error and unknown route.
 */
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { opsRouter, type ReadinessCheck } from './ops-router';
import { notFoundHandler, problemHandler } from './problem';

/** What the application is built from. */
export interface AppDeps {
  log: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  /** Feature routers, mounted at the root in order. */
  routers?: readonly Router[];
  /** Routers that read the raw body themselves (signed callbacks), mounted before JSON parsing. */
  rawBodyRouters?: readonly Router[];
}

/** Builds the express application (not listening yet). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  for (const router of deps.rawBodyRouters ?? []) app.use(router);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  app.use(opsRouter(deps.registry, deps.readiness));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
