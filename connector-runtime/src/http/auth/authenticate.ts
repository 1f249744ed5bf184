/**
 * Bearer authentication and role checks of the order API (docs/architecture.md §6).
 *
 * `authenticate` reads `Authorization: Bearer <token>` and resolves it, in order: a static token
 * (API_TOKENS or the demo token), then, when a JWKS is configured, a JWT. The principal lands on
 * `res.locals.principal`. No header, another scheme, or a token no source accepts: 401 with
 * `WWW-Authenticate: Bearer` (RFC 6750 §3; `error="invalid_token"` when a token was sent).
 * `requireRole` then answers 403 unless the caller holds one of the roles it names.
 */
import type { RequestHandler } from 'express';
import { AuthenticationError, BugError } from '../../errors';
import { ForbiddenError } from './errors';
import { jwtVerifier, type JwtVerification } from './jwt';
import { principalLocal, principalOf, type Principal, type Role } from './principal';
import { staticTokenVerifier, type StaticTokens } from './static-tokens';

/** The token sources; at least one. */
export interface AuthenticateOptions {
  /** Static tokens (API_TOKENS, or `demoTokens` when nothing is configured). */
  tokens?: StaticTokens;
  /** JWT verification against a JWKS (API_JWKS_URL and friends). */
  jwt?: JwtVerification;
}

// RFC 7235: the scheme is case-insensitive; RFC 6750: one space, then the token.
const bearer = /^Bearer +(\S+) *$/i;

/** The middleware that authenticates every request it sees (see the file header). */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  if (options.tokens === undefined && options.jwt === undefined) {
    throw new BugError('AUTH.NO_TOKEN_SOURCE', 'authenticate() needs static tokens or a JWKS to verify tokens against');
  }
  const fromStatic = options.tokens === undefined ? undefined : staticTokenVerifier(options.tokens);
  const fromJwt = options.jwt === undefined ? undefined : jwtVerifier(options.jwt);

  return async (req, res, next) => {
    const header = req.get('Authorization');
    const token = header === undefined ? undefined : bearer.exec(header)?.[1];
    if (token === undefined) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new AuthenticationError(header === undefined ? 'a bearer token is required' : 'the Authorization header is not a bearer token');
    }
    let principal: Principal | undefined = fromStatic?.(token);
    try {
      if (principal === undefined && fromJwt !== undefined) principal = await fromJwt(token);
    } catch (error) {
      if (error instanceof AuthenticationError) res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw error;
    }
    if (principal === undefined) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AuthenticationError('the bearer token is invalid');
    }
    res.locals[principalLocal] = principal;
    next();
  };
}

/** 403 unless the caller holds at least one of `required`; mount it after `authenticate`. */
export function requireRole(...required: Role[]): RequestHandler {
  if (required.length === 0) throw new BugError('AUTH.NO_ROLE', 'requireRole() needs at least one role');
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!required.some((role) => principal.roles.includes(role))) throw new ForbiddenError(required, principal.roles);
    next();
  };
}
