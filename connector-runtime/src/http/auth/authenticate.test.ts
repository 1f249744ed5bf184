/**
 * Bearer authentication and roles through the real HTTP application: static tokens, JWTs against a
 * JWKS served on 127.0.0.1 by the test, 401 and 403 as problem+json.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './fixtures/test-app';
import { authenticate, demoTokens, principalOf, requireRole, type AuthenticateOptions } from './index';

const operatorToken = 'static-operator-token-0123456789';
const viewerToken = 'static-viewer-token-0123456789ab';
const tokens = {
  [operatorToken]: { tenantId: 'tenant-a', roles: ['operator'] as const, subject: 'oms-console' },
  [viewerToken]: { tenantId: 'tenant-b', roles: ['viewer'] as const, subject: 'dashboard' },
};
const issuer = 'https://idp.test/';
const audience = 'fulfillment-api';

let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let jwks: Server;
let jwksUrl: string;
let app: TestApp;

/** A router at `prefix`: who am I (any role) and an operator-only command. */
function routes(prefix: string, options: AuthenticateOptions): Router {
  const router = Router();
  router.get(`${prefix}/whoami`, authenticate(options), (_req, res) => {
    res.json(principalOf(res));
  });
  router.post(`${prefix}/commands`, authenticate(options), requireRole('operator', 'technician'), (_req, res) => {
    res.status(202).json({ accepted: true });
  });
  return router;
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  jwks.listen(0, '127.0.0.1');
  await new Promise((resolve) => jwks.once('listening', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;

  // A port that was free a moment ago: nothing answers there.
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await new Promise((resolve) => closed.once('listening', resolve));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
  await new Promise((resolve) => closed.close(resolve));

  app = await startTestApp([
    routes('/static', { tokens }),
    routes('/jwt', { jwt: { jwksUrl, issuer, audience } }),
    routes('/jwt-claims', { jwt: { jwksUrl, issuer, audience, tenantClaim: 'org', rolesClaim: 'scope' } }),
    routes('/both', { tokens, jwt: { jwksUrl, issuer, audience } }),
    routes('/jwks-down', { jwt: { jwksUrl: deadUrl, issuer, audience } }),
  ]);
});

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

const call = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${app.base}${path}`, { ...init, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });

async function jwt(claims: Record<string, unknown>, options: { key?: CryptoKey; issuer?: string; audience?: string; expiresIn?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
    .setSubject('alice@example.com')
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? signingKey);
}

async function expectUnauthenticated(res: Response, challenge: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(challenge);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await res.json()) as { code: string; title: string; requestId: string };
  expect(problem).toMatchObject({ code: 'AUTH.UNAUTHENTICATED', title: 'Unauthorized' });
  expect(problem.requestId).toEqual(res.headers.get('x-request-id'));
  return problem;
}

describe('authenticate with static tokens', () => {
  it('given a configured token, then the principal is its tenant, roles and subject', async () => {
    const res = await call('/static/whoami', operatorToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'oms-console', tenantId: 'tenant-a', roles: ['operator'] });
  });

  it('given an unknown token, or a configured one with a character more, then 401 invalid_token', async () => {
    await expectUnauthenticated(await call('/static/whoami', 'not-a-configured-token-at-all'), 'Bearer error="invalid_token"');
    await expectUnauthenticated(await call('/static/whoami', `${operatorToken}x`), 'Bearer error="invalid_token"');
  });

  it('given no Authorization header, or another scheme, then 401 with a bare Bearer challenge', async () => {
    await expectUnauthenticated(await call('/static/whoami'), 'Bearer');
    const basic = await fetch(`${app.base}/static/whoami`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    await expectUnauthenticated(basic, 'Bearer');
  });

  it('given the scheme in lower case, then the token is still read', async () => {
    const res = await fetch(`${app.base}/static/whoami`, { headers: { authorization: `bearer ${viewerToken}` } });
    expect(res.status).toBe(200);
  });

  it('given a demo token, then it acts for the tenant with every role', async () => {
    const demo = demoTokens('tenant-demo');
    const [token] = Object.keys(demo);
    expect(token).toMatch(/^demo_[A-Za-z0-9_-]{32}$/);
    expect(Object.values(demo)).toEqual([{ subject: 'demo', tenantId: 'tenant-demo', roles: ['viewer', 'operator', 'technician', 'integration'] }]);
    expect(Object.keys(demoTokens('tenant-demo'))[0]).not.toBe(token);
  });
});

describe('authenticate with JWTs from a JWKS', () => {
  it('given a valid token, then tenant and roles come from its claims and unknown roles are dropped', async () => {
    const res = await call('/jwt/whoami', await jwt({ tenant_id: 'tenant-j', roles: ['operator', 'admin', 'viewer'] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'alice@example.com', tenantId: 'tenant-j', roles: ['operator', 'viewer'] });
  });

  it('given configured claim names, then they are read, roles as a space-separated string', async () => {
    const res = await call('/jwt-claims/whoami', await jwt({ org: 'tenant-k', scope: 'technician openid' }));
    expect(await res.json()).toEqual({ subject: 'alice@example.com', tenantId: 'tenant-k', roles: ['technician'] });
  });

  it('given an expired token, then 401 saying so', async () => {
    const expired = await jwt({ tenant_id: 'tenant-j', roles: ['operator'] }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    const problem = await expectUnauthenticated(await call('/jwt/whoami', expired), 'Bearer error="invalid_token"');
    expect(problem).toMatchObject({ detail: 'the bearer token has expired' });
  });

  it('given another issuer, another audience or another signing key, then 401', async () => {
    const claims = { tenant_id: 'tenant-j', roles: ['operator'] };
    for (const token of [
      await jwt(claims, { issuer: 'https://evil.test/' }),
      await jwt(claims, { audience: 'another-api' }),
      await jwt(claims, { key: strangerKey }),
      'not.a.jwt',
    ]) {
      await expectUnauthenticated(await call('/jwt/whoami', token), 'Bearer error="invalid_token"');
    }
  });

  it('given a token without a tenant claim, then 401', async () => {
    const problem = await expectUnauthenticated(await call('/jwt/whoami', await jwt({ roles: ['operator'] })), 'Bearer error="invalid_token"');
    expect(problem).toMatchObject({ detail: 'the bearer token names no tenant (claim tenant_id)' });
  });

  it('given static tokens and a JWKS, then both kinds of token are accepted', async () => {
    expect((await call('/both/whoami', operatorToken)).status).toBe(200);
    expect((await call('/both/whoami', await jwt({ tenant_id: 'tenant-j', roles: [] }))).status).toBe(200);
    await expectUnauthenticated(await call('/both/whoami', 'neither-static-nor-a-jwt-token'), 'Bearer error="invalid_token"');
  });

  it('given a JWKS that cannot be read, then 503: the caller is not to blame', async () => {
    const res = await call('/jwks-down/whoami', await jwt({ tenant_id: 'tenant-j', roles: ['operator'] }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'AUTH.JWKS_UNAVAILABLE' });
  });
});

describe('requireRole', () => {
  it('given a caller without any of the roles, then 403 problem+json', async () => {
    const res = await call('/static/commands', viewerToken, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'AUTH.FORBIDDEN', title: 'Forbidden', detail: 'this request needs one of the roles operator, technician' });
  });

  it('given a caller with one of the roles, then the route runs', async () => {
    expect((await call('/static/commands', operatorToken, { method: 'POST' })).status).toBe(202);
    expect((await call('/jwt/commands', await jwt({ tenant_id: 'tenant-j', roles: 'technician' }), { method: 'POST' })).status).toBe(202);
  });

  it('given no token, then 401 comes before any role check', async () => {
    await expectUnauthenticated(await call('/static/commands', undefined, { method: 'POST' }), 'Bearer');
  });
});
