/**
 * The HTTP application. In order: a request id for every exchange; 405 for a known route called
 * with a method it does not serve; the operational endpoints, before any body is read (a probe
 * must answer whatever it is sent); the routers that read raw bodies; JSON body parsing with a
 * size limit; the feature routers; and problem+json for every error and unknown route.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { opsRouter, type ReadinessCheck } from './ops-router';
import { notFoundHandler, problemHandler, requestIdLocal, sendMethodNotAllowed } from './problem';

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

/** The header that carries the request id, both ways. */
export const requestIdHeader = 'X-Request-Id';

// A caller's id is kept when it is a plain token (a UUID, a gateway's trace id); anything else
// could forge log lines or bloat them, so it is replaced.
const wellFormedRequestId = /^[\w.:@/+=-]{1,128}$/;

/** Assigns the request id: the caller's when well formed, else a new UUID; answered in the header. */
const assignRequestId: RequestHandler = (req, res, next) => {
  const incoming = req.get(requestIdHeader);
  const requestId = incoming !== undefined && wellFormedRequestId.test(incoming) ? incoming : randomUUID();
  res.locals[requestIdLocal] = requestId;
  res.set(requestIdHeader, requestId);
  next();
};

/** What the method check reads of express's router (router 2.x): layers that match a path. */
interface RouterLayer {
  route?: { methods?: Record<string, boolean | undefined> };
  handle?: { stack?: unknown };
  match?(path: string): { path: string } | false;
}

/** The methods the routes matching `path` serve (`*` for a route of every method), nested routers included. */
function methodsServing(stack: readonly RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    let matched: { path: string } | false = false;
    try {
      matched = layer.match?.(path) ?? false;
    } catch {
      // A malformed %-escape in the path: no route serves it, and the router answers 400 itself.
    }
    if (!matched) continue;
    if (layer.route?.methods) {
      for (const [method, served] of Object.entries(layer.route.methods)) if (served) methods.add(method === '_all' ? '*' : method.toUpperCase());
    } else if (Array.isArray(layer.handle?.stack)) {
      for (const method of methodsServing(layer.handle.stack as RouterLayer[], path.slice(matched.path.length) || '/')) methods.add(method);
    }
  }
  // Express answers HEAD with the GET route.
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

/**
 * 405 for a path some route serves with other methods, before any body is read. It reads the
 * app's own routing table, so every router mounted on the app is covered without declaring its
 * methods twice. OPTIONS passes: the router answers it with `Allow` itself.
 */
function methodNotAllowedGuard(app: Express): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    const methods = methodsServing(app.router.stack as unknown as RouterLayer[], req.path);
    if (methods.size === 0 || methods.has('*') || methods.has(req.method)) return next();
    sendMethodNotAllowed(req, res, [...methods].sort());
  };
}

/** Builds the express application (not listening yet). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(assignRequestId);
  app.use(methodNotAllowedGuard(app));
  app.use(opsRouter(deps.registry, deps.readiness));
  for (const router of deps.rawBodyRouters ?? []) app.use(router);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
