/**
 * Who calls the API: a subject acting for one tenant with one or more roles. The authentication
 * middleware leaves the principal on `res.locals.principal`; every later middleware and route
 * reads it through `principalOf`, so a route mounted without authentication fails loudly.
 */
import type { Response } from 'express';
import { BugError } from '../../errors';

/** The roles of the order API (issue 11): read, operate orders, work tasks, call as a system. */
export const roles = ['viewer', 'operator', 'technician', 'integration'] as const;

/** One role of the order API. */
export type Role = (typeof roles)[number];

/** An authenticated caller. */
export interface Principal {
  /** Who acts: a token's configured subject or a JWT's `sub`; it becomes the audit actor. */
  subject: string;
  /** The tenant every query of the request is filtered by. */
  tenantId: string;
  roles: readonly Role[];
}

/** Where `authenticate` keeps the principal (`res.locals`). */
export const principalLocal = 'principal';

/** True when `value` names a role of the API. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** The caller of the request `res` answers; a route reached without `authenticate` is a wiring bug. */
export function principalOf(res: Response): Principal {
  const principal = res.locals[principalLocal] as Principal | undefined;
  if (principal === undefined) {
    throw new BugError('AUTH.NO_PRINCIPAL', 'no principal on the request: mount authenticate() before this middleware');
  }
  return principal;
}
