/**
 * Verification of an access token, the same for Entra ID and local mode:
 *
 * - signature: RS256, RS384 or RS512 only (`alg: none`, HMAC, EC, PS are refused), by a key of the key source;
 * - `exp` required, `exp`/`nbf` with CLOCK_SKEW_SECONDS of tolerance; `aud` equal to the configured audience;
 * - `tid` a GUID, and `iss` equal to the issuer template with that `tid` substituted (or to the fixed issuer,
 *   whose tenant, when it names one, must be the `tid`).
 *
 * A failure is a 401 InvalidAuthenticationToken (bearer.ts), or a 503 with Retry-After when the key source
 * itself fails.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphError } from '../graph/errors.js';
import { GUID_PATTERN, isGuid } from '../lib/guid.js';
import { unauthorized } from './bearer.js';
import { isTokenKeyError, KeySourceUnavailable } from './key-sources.js';

/** Tolerance on `exp` and `nbf` for clock differences between the issuer and this service. */
export const CLOCK_SKEW_SECONDS = 60;
/** The only signing algorithms accepted (Entra signs with RS256). */
export const ACCEPTED_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512']);

const GUID_IN_TEXT = new RegExp(GUID_PATTERN, 'i');
/** The placeholder of a multi-tenant issuer template (matched case-insensitively). */
const PLACEHOLDER = /\{tenantid\}/i;

export interface VerificationPolicy {
  audience: string;
  issuer: string;
  getKey: JWTVerifyGetKey;
  clockSkewSeconds: number;
  now: () => number;
}

/** Verifies signature, lifetime, audience, tenant and issuer; returns the claims. Throws GraphError 401 (503). */
export async function verifyAccessToken(token: string, policy: VerificationPolicy): Promise<JWTPayload> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, policy.getKey, {
      algorithms: [...ACCEPTED_ALGORITHMS],
      audience: policy.audience,
      clockTolerance: policy.clockSkewSeconds,
      currentDate: new Date(policy.now()),
      requiredClaims: ['exp', 'iss', 'aud'],
    }));
  } catch (error) {
    throw verificationError(error);
  }
  const { tid, iss } = claims;
  if (!isGuid(tid)) throw unauthorized('Access token validation failure. The tid claim is missing or is not a GUID.', true);
  if (typeof iss !== 'string' || !issuerMatches(policy.issuer, iss, tid)) {
    throw unauthorized('Access token validation failure. Invalid issuer.', true);
  }
  return claims;
}

function issuerMatches(configured: string, iss: string, tid: string): boolean {
  if (PLACEHOLDER.test(configured)) return iss === configured.replace(PLACEHOLDER, () => tid);
  if (iss !== configured) return false;
  const fixedTenant = GUID_IN_TEXT.exec(configured)?.[0];
  return fixedTenant === undefined || fixedTenant.toLowerCase() === tid.toLowerCase();
}

function verificationError(error: unknown): GraphError {
  if (error instanceof KeySourceUnavailable) {
    return new GraphError(503, 'The token signing keys of the identity provider could not be retrieved. Retry the request.', {
      'Retry-After': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof errors.JWTExpired) return unauthorized('Lifetime validation failed, the token is expired.', true);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('Lifetime validation failed, the token is not yet valid.', true);
    if (error.claim === 'aud' && error.reason !== 'missing') {
      return unauthorized('Access token validation failure. Invalid audience.', true);
    }
    const what = error.reason === 'missing' ? `The ${error.claim} claim is missing.` : `Invalid ${error.claim} claim.`;
    return unauthorized(`Access token validation failure. ${what}`, true);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized(
      `Access token validation failure. The signing algorithm is not accepted (only ${ACCEPTED_ALGORITHMS.join(', ')}).`,
      true,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized('Access token validation failure. The signing key is unknown.', true);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || isTokenKeyError(error)) {
    return unauthorized('Access token validation failure. Invalid signature.', true);
  }
  return unauthorized('Access token validation failure. The token is malformed.', true);
}
