/** The token sources the settings choose, and the settings' own checks. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { ValidationError } from '../../errors';
import { authOptionsFrom } from './index';

const token = 'a-static-token-of-the-console-0001';

describe('authOptionsFrom', () => {
  it('given neither API_TOKENS nor API_JWKS_URL, then a demo token for SIMULATOR_TENANT is made and returned', () => {
    const { options, demoToken } = authOptionsFrom(loadConfig({ SIMULATOR_TENANT: 'tenant-sim' }));
    expect(demoToken).toMatch(/^demo_/);
    expect(options.jwt).toBeUndefined();
    expect(options.tokens?.[demoToken ?? '']).toMatchObject({ tenantId: 'tenant-sim', roles: ['viewer', 'operator', 'technician', 'integration'] });
  });

  it('given API_TOKENS, then exactly those tokens and no demo token', () => {
    const { options, demoToken } = authOptionsFrom(
      loadConfig({ API_TOKENS: JSON.stringify({ [token]: { tenantId: 'tenant-a', roles: ['viewer'], subject: 'console' } }) }),
    );
    expect(demoToken).toBeUndefined();
    expect(options).toEqual({ tokens: { [token]: { tenantId: 'tenant-a', roles: ['viewer'], subject: 'console' } } });
  });

  it('given a JWKS, then JWTs only, with the claim names of the settings', () => {
    const { options, demoToken } = authOptionsFrom(
      loadConfig({ API_JWKS_URL: 'https://idp.test/jwks', API_JWT_ISSUER: 'https://idp.test/', API_JWT_AUDIENCE: 'api', API_ROLES_CLAIM: 'groups' }),
    );
    expect(demoToken).toBeUndefined();
    expect(options).toEqual({ jwt: { jwksUrl: 'https://idp.test/jwks', issuer: 'https://idp.test/', audience: 'api', tenantClaim: 'tenant_id', rolesClaim: 'groups' } });
  });
});

describe('the API_* settings', () => {
  const issuesOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ValidationError) return error.issues.map((issue) => issue.path).sort();
      throw error;
    }
    return [];
  };

  it('given a JWKS without issuer and audience, then both are named', () => {
    expect(issuesOf({ API_JWKS_URL: 'https://idp.test/jwks' })).toEqual(['API_JWT_AUDIENCE', 'API_JWT_ISSUER']);
  });

  it('given tokens that are not JSON, too short, empty, or with an unknown role, then API_TOKENS is named', () => {
    expect(issuesOf({ API_TOKENS: '{oops' })).toEqual(['API_TOKENS']);
    expect(issuesOf({ API_TOKENS: JSON.stringify({ short: { tenantId: 't', roles: ['viewer'], subject: 's' } }) })).toEqual(['API_TOKENS']);
    expect(issuesOf({ API_TOKENS: '{}' })).toEqual(['API_TOKENS']);
    expect(issuesOf({ API_TOKENS: JSON.stringify({ [token]: { tenantId: 't', roles: ['admin'], subject: 's' } }) })).toEqual(['API_TOKENS']);
    expect(issuesOf({ API_TOKENS: JSON.stringify({ 'has spaces in it, sixteen+': { tenantId: 't', roles: ['viewer'], subject: 's' } }) })).toEqual(['API_TOKENS']);
  });
});
