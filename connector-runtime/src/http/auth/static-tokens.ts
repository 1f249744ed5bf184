/**
 * Static bearer tokens (setting API_TOKENS, or the demo token of an embedded start). A presented
 * token is compared with every configured one in constant time: both sides are hashed first, so
 * `timingSafeEqual` sees equal lengths, and the loop never stops early, so the time taken tells
 * nothing about which token, or how much of one, matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { roles, type Principal } from './principal';

/** Configured tokens, each with the principal it stands for. */
export type StaticTokens = Readonly<Record<string, Principal>>;

/** Characters of an RFC 6750 bearer token (b64token), so a configured token can be sent as is. */
export const bearerTokenPattern = /^[A-Za-z0-9._~+/-]+=*$/;

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** A lookup of `tokens`: the principal of a presented token, or undefined when none matches. */
export function staticTokenVerifier(tokens: StaticTokens): (token: string) => Principal | undefined {
  const known = Object.entries(tokens).map(([token, principal]) => ({ hash: digest(token), principal }));
  return (token) => {
    const presented = digest(token);
    let match: Principal | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(candidate.hash, presented)) match = candidate.principal;
    }
    return match;
  };
}

/**
 * One random token for `tenantId` with every role: what an embedded `npm start` accepts when
 * neither API_TOKENS nor API_JWKS_URL is set, so the API can be tried at once (print the key).
 * A new token each start: nothing guessable ever opens the API.
 */
export function demoTokens(tenantId: string): StaticTokens {
  const token = `demo_${randomBytes(24).toString('base64url')}`;
  return { [token]: { subject: 'demo', tenantId, roles: [...roles] } };
}
