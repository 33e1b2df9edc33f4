/**
 * Identity's refusals, as codes: what is wrong with the token, or why its caller may not do this.
 * `graph/endpoint.ts` chooses the status, the challenge and Graph's wording for each; nothing here knows
 * HTTP or Graph's words (as the directory's rules, src/directory/errors.ts).
 */

/** What is wrong with the token (a 401 where Graph answers one). */
export type TokenProblem =
  /** No token: no Authorization header, an empty one, or `Bearer` alone. */
  | 'empty'
  /** The Authorization header uses another scheme than Bearer. */
  | 'notBearer'
  /** Not a token: neither a well-formed bearer value nor a JWT. */
  | 'malformed'
  | 'tooLarge'
  /** `tid` is missing or not a GUID. */
  | 'tenantInvalid'
  | 'issuerInvalid'
  | 'expired'
  | 'notYetValid'
  | 'audienceInvalid'
  | 'algorithmNotAccepted'
  /** Signed by a key the key source does not have. */
  | 'signingKeyUnknown'
  | 'signatureInvalid';

/** Why a valid token's caller may not do this (a 403). */
export type Denial =
  /** A personal Microsoft account. */
  | 'personalAccount'
  /** An app-only token (`roles` without `scp`, or `idtyp: app`). */
  | 'appOnly'
  /** No `scp` and no `roles`. */
  | 'noDelegatedPermissions'
  /** The token carries no directory roles (`wids`). */
  | 'noDirectoryRoles'
  /** None of the user's directory roles may do this. */
  | 'roleNotPermitted';

export type IdentityFailure =
  | { kind: 'token'; problem: TokenProblem }
  /** A required claim is missing, or one the verifier checks is invalid. */
  | { kind: 'claim'; claim: string; missing: boolean }
  | { kind: 'denied'; denial: Denial }
  /** The token holds none of the delegated permissions the access needs (`needed`). */
  | { kind: 'scope'; needed: readonly string[] }
  /** The identity provider's signing keys cannot be had now; retrying later may succeed. */
  | { kind: 'keysUnavailable'; retryAfterSeconds: number };

export class IdentityError extends Error {
  constructor(readonly failure: IdentityFailure) {
    super(`identity: ${failure.kind}`);
    this.name = 'IdentityError';
  }
}

export const tokenRefused = (problem: TokenProblem) => new IdentityError({ kind: 'token', problem });
export const claimRefused = (claim: string, missing: boolean) => new IdentityError({ kind: 'claim', claim, missing });
export const denied = (denial: Denial) => new IdentityError({ kind: 'denied', denial });
export const scopeMissing = (needed: readonly string[]) => new IdentityError({ kind: 'scope', needed });
export const keysUnavailable = (retryAfterSeconds: number) => new IdentityError({ kind: 'keysUnavailable', retryAfterSeconds });
