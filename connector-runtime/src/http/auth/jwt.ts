/**
 * Bearer JWTs of an identity provider, verified against its JWKS (API_JWKS_URL) with `jose`: the
 * signature, `iss`, `aud` and `exp` must hold. The tenant comes from one claim (API_TENANT_CLAIM),
 * the roles from another (API_ROLES_CLAIM: an array or a space-separated string; roles the API
 * does not know are ignored). A claim name is taken literally, never as a path, since namespaced
 * claims (`https://example.com/roles`) contain dots.
 *
 * A token the provider did not sign, or that is expired or meant for someone else, is the caller's
 * fault: AuthenticationError (401). A JWKS that cannot be fetched is ours: TransientError (503).
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError, TransientError } from '../../errors';
import { isRole, type Principal } from './principal';

/** Where the keys are and what a token must say. */
export interface JwtVerification {
  jwksUrl: string | URL;
  issuer: string;
  audience: string;
  /** Claim holding the tenant id (default `tenant_id`). */
  tenantClaim?: string;
  /** Claim holding the roles (default `roles`). */
  rolesClaim?: string;
}

// Clocks of the provider and of this host drift a little; half a minute is the usual allowance.
const clockToleranceSeconds = 30;

// Errors that say the token is bad; every other error (JWKS unreachable, not JSON, timeout) is ours.
const tokenFaults = new Set<string>([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWK_INVALID',
]);

/** A verifier of JWTs: the principal a valid token stands for, else a typed error. */
export function jwtVerifier(options: JwtVerification): (token: string) => Promise<Principal> {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  const tenantClaim = options.tenantClaim ?? 'tenant_id';
  const rolesClaim = options.rolesClaim ?? 'roles';
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: clockToleranceSeconds,
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError && tokenFaults.has(error.code)) {
        throw new AuthenticationError(error instanceof errors.JWTExpired ? 'the bearer token has expired' : 'the bearer token is invalid');
      }
      throw new TransientError('AUTH.JWKS_UNAVAILABLE', 'the signing keys of the identity provider cannot be read', {}, { cause: error });
    }
    const tenantId = payload[tenantClaim];
    if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 64) {
      throw new AuthenticationError(`the bearer token names no tenant (claim ${tenantClaim})`);
    }
    // requiredClaims made sure `sub` is there; it becomes the audit actor, at most 128 characters.
    const subject = String(payload.sub);
    if (subject.length > 128) throw new AuthenticationError('the bearer token has a subject longer than 128 characters');
    return { subject, tenantId, roles: rolesIn(payload[rolesClaim]) };
  };
}

function rolesIn(claim: unknown): Principal['roles'] {
  const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  return [...new Set(values.filter(isRole))];
}
