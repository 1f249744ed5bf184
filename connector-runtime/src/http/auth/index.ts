/**
 * Authentication and roles of the order API. `authOptionsFrom(config)` picks the token sources
 * from the settings: API_TOKENS, a JWKS (API_JWKS_URL), both, or, when neither is set, a demo
 * token generated at start for SIMULATOR_TENANT (returned so that start-up can print it).
 */
import type { Config } from '../../config';
import type { AuthenticateOptions } from './authenticate';
import { demoTokens } from './static-tokens';

export { authenticate, requireRole, type AuthenticateOptions } from './authenticate';
export { ForbiddenError } from './errors';
export type { JwtVerification } from './jwt';
export { isRole, principalOf, principalLocal, roles, type Principal, type Role } from './principal';
export { demoTokens, type StaticTokens } from './static-tokens';

/** The token sources the settings name, and the demo token when one had to be made. */
export function authOptionsFrom(
  config: Pick<Config, 'API_TOKENS' | 'API_JWKS_URL' | 'API_JWT_ISSUER' | 'API_JWT_AUDIENCE' | 'API_TENANT_CLAIM' | 'API_ROLES_CLAIM' | 'SIMULATOR_TENANT'>,
): { options: AuthenticateOptions; demoToken?: string } {
  const jwt =
    config.API_JWKS_URL === undefined || config.API_JWT_ISSUER === undefined || config.API_JWT_AUDIENCE === undefined
      ? undefined
      : {
          jwksUrl: config.API_JWKS_URL,
          issuer: config.API_JWT_ISSUER,
          audience: config.API_JWT_AUDIENCE,
          tenantClaim: config.API_TENANT_CLAIM,
          rolesClaim: config.API_ROLES_CLAIM,
        };
  if (config.API_TOKENS !== undefined || jwt !== undefined) {
    return { options: { ...(config.API_TOKENS === undefined ? {} : { tokens: config.API_TOKENS }), ...(jwt === undefined ? {} : { jwt }) } };
  }
  const tokens = demoTokens(config.SIMULATOR_TENANT);
  return { options: { tokens }, demoToken: Object.keys(tokens)[0] };
}
