/**
 * Verification of an access token, the same for Entra ID and local mode:
 *
 * - signature: RS256, RS384 or RS512 only (`alg: none`, HMAC, EC, PS are refused), by a key of the key source;
 * - `exp` required, `exp`/`nbf` with CLOCK_SKEW_SECONDS of tolerance; `aud` equal to the configured audience;
 * - `tid` a GUID, and `iss` equal to the issuer template with that `tid` substituted (or to the fixed issuer,
 *   whose tenant, when it names one, must be the `tid`).
 *
 * A failure is a refusal of the token (errors.ts), or `keysUnavailable` when the key source itself fails.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GUID_PATTERN, isGuid } from '../lib/guid.js';
import { claimRefused, keysUnavailable, tokenRefused, type IdentityError } from './errors.js';
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

/** Verifies signature, lifetime, audience, tenant and issuer; returns the claims. Throws an IdentityError. */
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
  if (!isGuid(tid)) throw tokenRefused('tenantInvalid');
  if (typeof iss !== 'string' || !issuerMatches(policy.issuer, iss, tid)) throw tokenRefused('issuerInvalid');
  return claims;
}

function issuerMatches(configured: string, iss: string, tid: string): boolean {
  if (PLACEHOLDER.test(configured)) return iss === configured.replace(PLACEHOLDER, () => tid);
  if (iss !== configured) return false;
  const fixedTenant = GUID_IN_TEXT.exec(configured)?.[0];
  return fixedTenant === undefined || fixedTenant.toLowerCase() === tid.toLowerCase();
}

function verificationError(error: unknown): IdentityError {
  if (error instanceof KeySourceUnavailable) return keysUnavailable(error.retryAfterSeconds);
  if (error instanceof errors.JWTExpired) return tokenRefused('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return tokenRefused('notYetValid');
    if (error.claim === 'aud' && error.reason !== 'missing') return tokenRefused('audienceInvalid');
    return claimRefused(error.claim, error.reason === 'missing');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return tokenRefused('algorithmNotAccepted');
  if (error instanceof errors.JWKSNoMatchingKey) return tokenRefused('signingKeyUnknown');
  if (error instanceof errors.JWSSignatureVerificationFailed || isTokenKeyError(error)) return tokenRefused('signatureInvalid');
  return tokenRefused('malformed');
}
