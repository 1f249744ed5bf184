/**
 * Who may call which part of the order API (issue 11 item 4), in one table: every `/api/v1/orders`,
 * `/api/v1/fallout-cases` and `/internal` request is authenticated (bearer token: static or JWT),
 * then needs a role, and every POST command carries an Idempotency-Key.
 *
 * | request | roles |
 * |---|---|
 * | any GET | viewer, operator, technician, integration |
 * | POST /api/v1/orders (intake) | operator, integration |
 * | POST .../manual-decisions | technician, operator |
 * | any other POST under /api/v1 | operator |
 * | /internal/... | integration |
 */
import { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import type { Logger } from '../observability/logger';
import { authenticate, requireRole, type AuthenticateOptions, type Role } from './auth';
import { idempotentCommand } from './idempotency';
import { UnsupportedMediaTypeError } from './orders/orders-router';

/** The roles a request needs (see the table in the module comment). */
export function rolesFor(method: string, path: string): Role[] {
  if (path.startsWith('/internal/')) return ['integration'];
  if (method === 'GET' || method === 'HEAD') return ['viewer', 'operator', 'technician', 'integration'];
  if (path === '/api/v1/orders') return ['operator', 'integration'];
  if (path.endsWith('/manual-decisions')) return ['technician', 'operator'];
  return ['operator'];
}

/** The access router: mount it before the API routers. */
export function apiAccessRouter(pool: pg.Pool, options: { auth: AuthenticateOptions; log: Logger }): Router {
  const router = Router();
  const checkRole: RequestHandler = (req, res, next) => requireRole(...rolesFor(req.method, req.path))(req, res, next);
  const idempotent = idempotentCommand(pool, { log: options.log });
  const commandsOnly: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') return next();
    // A command body is JSON; anything else was not parsed, and must not reach a handler as "no body".
    if (req.headers['content-length'] !== '0' && req.headers['content-type'] !== undefined && !req.is(['application/json', 'application/*+json'])) {
      throw new UnsupportedMediaTypeError(req.headers['content-type']);
    }
    return idempotent(req, res, next);
  };
  router.use(['/api/v1/orders', '/api/v1/fallout-cases', '/internal'], authenticate(options.auth), checkRole, commandsOnly);
  return router;
}
