/**
 * The routes an express 5 application really serves, read from its router stack (router 2.x):
 * each route's methods and full path, nested routers included, in OpenAPI form (`{orderId}` where
 * express has `:orderId`). Middleware that is not a route (`express.static`, body parsers) is not
 * listed. The document's test compares this list with the route table.
 */
import type { Express, Router } from 'express';

/** One served route. */
export interface ServedRoute {
  /** Lower case, as OpenAPI's path items name them (`all` for `router.all`). */
  method: string;
  path: string;
}

/** What is read of router 2.x's layers. */
interface StackLayer {
  /** The path a layer was mounted at (`router.use(path, ...)`); `/` for a root mount. */
  rawPath?: unknown;
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
  handle?: { stack?: unknown };
}

/** `:name` and `*name` as `{name}`; a path that is no string (a RegExp) is shown as its source. */
function openApiPath(path: unknown): string[] {
  if (Array.isArray(path)) return path.flatMap(openApiPath);
  if (path instanceof RegExp) return [`regexp:${path.source}`];
  if (typeof path !== 'string') return ['?'];
  return [path.replace(/[:*](\w+)/g, '{$1}')];
}

const join = (prefix: string, path: string): string => (path === '/' ? prefix || '/' : `${prefix}${path}`.replace(/\/{2,}/g, '/'));

function walk(stack: readonly StackLayer[], prefix: string, into: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.entries(layer.route.methods ?? {}).filter(([, served]) => served);
      for (const path of openApiPath(layer.route.path)) {
        for (const [method] of methods) into.push({ method: method === '_all' ? 'all' : method.toLowerCase(), path: join(prefix, path) });
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      for (const mount of openApiPath(layer.rawPath ?? '/')) walk(layer.handle.stack as StackLayer[], mount === '/' ? prefix : join(prefix, mount), into);
    }
  }
}

/** Every route `app` (or a router) serves, sorted by path and method, each once. */
export function listRoutes(app: Express | Router): ServedRoute[] {
  const stack = ('router' in app && typeof app.router === 'function' ? app.router.stack : (app as Router).stack) as unknown as StackLayer[];
  const routes: ServedRoute[] = [];
  walk(stack, '', routes);
  const unique = new Map(routes.map((route) => [`${route.path} ${route.method}`, route]));
  return [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, route]) => route);
}
