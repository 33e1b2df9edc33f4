/**
 * Bearer token validation and authorization, the same code for Entra ID and local mode:
 *
 * - signature: RS256, RS384 or RS512 only (`alg: none`, HMAC, EC, PS are refused), by a key of the issuer's
 *   JWKS (Entra: fetched lazily, cached, refetched when a token names an unknown `kid`) or of the local key pair;
 * - `exp` required, `exp`/`nbf` with CLOCK_SKEW_SECONDS of tolerance; `aud` equal to the configured audience;
 * - `tid` a GUID, and `iss` equal to the issuer template with that `tid` substituted (or to the fixed issuer,
 *   whose tenant, when it names one, must be the `tid`);
 * - delegated tokens only (`scp` present; `roles` without `scp`, or `idtyp: app`, is app-only), no personal
 *   Microsoft accounts, and the scopes the access needs.
 *
 * 401 InvalidAuthenticationToken (with WWW-Authenticate) for a missing or invalid token; 403
 * Authorization_RequestDenied for a valid token that may not do this.
 *
 * A token that passed verification is remembered (token-cache.ts) until its `exp`, or until the signing
 * keys change or are due for a refetch; the scope check still runs on every request.
 */
import path from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphError } from '../graph/errors.js';
import { GUID_PATTERN, isGuid } from '../lib/guid.js';
import { ENTRA_JWKS_URI, ENTRA_MULTI_TENANT_ISSUER, TENANT_PLACEHOLDER } from './entra.js';
import { assertLocalModeAllowed, LOCAL_AUDIENCE, LOCAL_ISSUER_TEMPLATE, loadLocalSigningKey } from './local-keys.js';
import { DEFAULT_TOKEN_CACHE_SIZE, VerifiedTokenCache } from './token-cache.js';
import type { Access, Authenticator, Caller, IdentitySettings } from './types.js';

/** Tolerance on `exp` and `nbf` for clock differences between the issuer and this service. */
export const CLOCK_SKEW_SECONDS = 60;
/** The only signing algorithms accepted (Entra signs with RS256). */
export const ACCEPTED_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512']);
/** The tenant of personal Microsoft accounts (MSA); refused. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** The placeholder of a multi-tenant issuer template (matched case-insensitively). */

export const WRITE_SCOPES: readonly string[] = Object.freeze(['Directory.ReadWrite.All', 'Directory.AccessAsUser.All']);
export const READ_SCOPES: readonly string[] = Object.freeze(['Directory.Read.All', ...WRITE_SCOPES]);

/** The challenge of every 401, as Graph sends it; `error="invalid_token"` is added when a token was presented. */
export const WWW_AUTHENTICATE_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"';

const GUID_IN_TEXT = new RegExp(GUID_PATTERN, 'i');
const PLACEHOLDER = /\{tenantid\}/i;
const PLACEHOLDERS = /\{tenantid\}/gi;
/** RFC 6750 b64token. */
const BEARER = /^Bearer(?:[ \t]+([A-Za-z0-9\-._~+/]+=*))?[ \t]*$/i;
const MAX_TOKEN_LENGTH = 16 * 1024;
const JWKS_RETRY_AFTER_SECONDS = 10;


export interface AuthenticatorOptions {
  /** Default CLOCK_SKEW_SECONDS. */
  clockSkewSeconds?: number;
  /** Entra mode: minimum time between two JWKS fetches triggered by unknown kids. Default 30 s. */
  jwksCooldownMs?: number;
  /** Entra mode: age after which the cached JWKS is fetched again. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** Entra mode: JWKS fetch timeout. Default 5 s. */
  jwksTimeoutMs?: number;
  /** Environment checked by local mode (refused in Azure). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The verified-token cache (token-cache.ts). Default: DEFAULT_TOKEN_CACHE_SIZE entries, this clock skew. */
  tokenCache?: VerifiedTokenCache;
  /** The clock, in ms since the epoch, for lifetimes and the cache. Default Date.now. */
  now?: () => number;
}

/** Where the signing keys come from. Each source is given a `changed` callback for a reload that brings different keys. */
interface KeySource {
  getKey: JWTVerifyGetKey;
  /** False when the keys are due to be fetched again: a remembered verification must not outlive them. */
  fresh(): boolean;
}

interface Policy {
  audience: string;
  issuer: string;
  getKey: JWTVerifyGetKey;
  clockSkewSeconds: number;
  now: () => number;
}

/** The identity setting a refusal is about, so start-up can name it. */
export type IdentitySetting = 'mode' | 'audience' | 'issuer' | 'jwksUri' | 'keysDir';

export class IdentitySettingsError extends Error {
  constructor(
    readonly detail: string,
    readonly setting?: IdentitySetting,
  ) {
    super(`Invalid identity settings: ${detail}`);
    this.name = 'IdentitySettingsError';
  }
}

/**
 * Checks settings and throws an IdentitySettingsError naming the problem (meant to stop start-up). Returns the settings
 * normalized (trimmed, keysDir absolute).
 */
export function validateIdentitySettings(settings: IdentitySettings): IdentitySettings {
  const invalid = (message: string, setting?: IdentitySetting) => new IdentitySettingsError(message, setting);
  if (typeof settings !== 'object' || settings === null) throw invalid('no settings given.');
  if (settings.mode === 'local') {
    const keysDir = typeof settings.keysDir === 'string' ? settings.keysDir.trim() : '';
    if (keysDir === '') throw invalid('local mode needs keysDir, the folder of the local key pair.', 'keysDir');
    return { mode: 'local', keysDir: path.resolve(keysDir) };
  }
  if (settings.mode !== 'entra') {
    throw invalid(`mode must be "entra" or "local", not ${JSON.stringify((settings as { mode?: unknown }).mode)}.`, 'mode');
  }
  const audience = typeof settings.audience === 'string' ? settings.audience.trim() : '';
  if (audience === '' || /\s/.test(audience)) {
    throw invalid(
      "the audience must be the Application ID URI or the client id of this API's app registration " +
        `(the aud of the tokens it accepts), got ${JSON.stringify(settings.audience)}.`,
      'audience',
    );
  }
  const issuer = typeof settings.issuer === 'string' ? settings.issuer.trim() : '';
  const placeholders = issuer.match(PLACEHOLDERS)?.length ?? 0;
  const sample = issuer.replace(PLACEHOLDERS, '00000000-0000-0000-0000-000000000000');
  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(sample);
  } catch {
    issuerUrl = undefined;
  }
  if (issuerUrl === undefined || issuerUrl.protocol !== 'https:' || placeholders > 1 || /[{}]/.test(sample)) {
    throw invalid(
      `the issuer must be an https URL, either a multi-tenant template with one ${TENANT_PLACEHOLDER} ` +
        `(e.g. ${ENTRA_MULTI_TENANT_ISSUER}) or one tenant's fixed issuer, got ${JSON.stringify(settings.issuer)}.`,
      'issuer',
    );
  }
  if (placeholders === 0 && /\/(common|organizations|consumers)(\/|$)/i.test(issuer)) {
    throw invalid(
      `${JSON.stringify(issuer)} is never the issuer of a token; for a multi-tenant API use the template ` +
        `${ENTRA_MULTI_TENANT_ISSUER}.`,
      'issuer',
    );
  }
  const jwksUri = typeof settings.jwksUri === 'string' ? settings.jwksUri.trim() : '';
  let jwksUrl: URL | undefined;
  try {
    jwksUrl = new URL(jwksUri);
  } catch {
    jwksUrl = undefined;
  }
  const loopback = jwksUrl !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(jwksUrl.hostname);
  if (jwksUrl === undefined || !(jwksUrl.protocol === 'https:' || (jwksUrl.protocol === 'http:' && loopback))) {
    throw invalid(
      `jwksUri must be the https URL of the issuer's signing keys (e.g. ${ENTRA_JWKS_URI}), ` +
        `got ${JSON.stringify(settings.jwksUri)}.`,
      'jwksUri',
    );
  }
  return { mode: 'entra', audience, issuer, jwksUri };
}

/**
 * The authenticator for `settings`. Synchronous: settings are checked now (an Error stops start-up), while
 * keys are loaded (local mode: made) or fetched (Entra mode) on the first call.
 */
export function createAuthenticator(settings: IdentitySettings, options: AuthenticatorOptions = {}): Authenticator {
  const checked = validateIdentitySettings(settings);
  const clockSkewSeconds = options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS;
  const now = options.now ?? Date.now;
  const cache = options.tokenCache ?? new VerifiedTokenCache(DEFAULT_TOKEN_CACHE_SIZE, clockSkewSeconds);
  const keysChanged = () => cache.clear();
  let keys: KeySource;
  let policy: Policy;
  if (checked.mode === 'local') {
    assertLocalModeAllowed(options.env ?? process.env);
    keys = localKeySource(checked.keysDir, keysChanged);
    policy = { audience: LOCAL_AUDIENCE, issuer: LOCAL_ISSUER_TEMPLATE, getKey: keys.getKey, clockSkewSeconds, now };
  } else {
    keys = remoteKeySource(new URL(checked.jwksUri), options, keysChanged);
    policy = { audience: checked.audience, issuer: checked.issuer, getKey: keys.getKey, clockSkewSeconds, now };
  }
  return {
    async authenticate(authorization, access) {
      const token = bearerToken(authorization);
      const nowSeconds = Math.floor(now() / 1000);
      let claims = keys.fresh() ? cache.get(token, nowSeconds) : undefined;
      if (claims === undefined) {
        claims = await verifyAccessToken(token, policy);
        cache.set(token, claims, nowSeconds);
      }
      return authorize(claims, access);
    },
  };
}

/** A failure of the key source itself (JWKS unreachable, key file unreadable): not the caller's fault. */
class KeySourceUnavailable extends Error {
  constructor(cause: unknown) {
    super('The token signing keys are unavailable.', { cause });
    this.name = 'KeySourceUnavailable';
  }
}

/** Errors a key resolver throws because of the token (its kid/alg), as opposed to the key source failing. */
const isTokenKeyError = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported;

/** The identity of a key set: its keys' ids and public material, in order. */
const keySetFingerprint = (set: { keys: JWK[] } | undefined) =>
  JSON.stringify((set?.keys ?? []).map((k) => [k.kid, k.kty, k.n, k.e, k.x, k.y, k.crv]));

function remoteKeySource(url: URL, options: AuthenticatorOptions, changed: () => void): KeySource {
  const jwks = createRemoteJWKSet(url, {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  let seen: { keys: JWK[] } | undefined;
  let fingerprint = keySetFingerprint(undefined);
  // jose reloads the set inside `jwks(...)` (age, unknown kid); after each call, see whether it did.
  const noticeReload = () => {
    const current = jwks.jwks();
    if (current === seen) return;
    seen = current;
    const next = keySetFingerprint(current);
    if (next !== fingerprint) {
      fingerprint = next;
      changed();
    }
  };
  return {
    fresh: () => jwks.fresh,
    getKey: async (header, token) => {
      try {
        return await jwks(header, token);
      } catch (error) {
        throw isTokenKeyError(error) ? error : new KeySourceUnavailable(error);
      } finally {
        noticeReload();
      }
    },
  };
}

function localKeySource(keysDir: string, changed: () => void): KeySource {
  type KeySet = { kid: string; jwks: ReturnType<typeof createLocalJWKSet> };
  const load = async (fresh: boolean): Promise<KeySet> => {
    try {
      const key = await loadLocalSigningKey(keysDir, { fresh });
      return { kid: key.kid, jwks: createLocalJWKSet({ keys: [key.publicJwk] }) };
    } catch (error) {
      throw new KeySourceUnavailable(error);
    }
  };
  let current: Promise<KeySet> | undefined;
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const pending = (current ??= load(false));
    pending.catch(() => {
      if (current === pending) current = undefined;
    });
    const set = await pending;
    try {
      return await set.jwks(header, token);
    } catch (error) {
      // The key pair may have been made again (folder deleted, then `npm run token`): re-read it once.
      if (!(error instanceof errors.JWKSNoMatchingKey) || header.kid === undefined || header.kid === set.kid) throw error;
      const reloaded = await load(true);
      if (reloaded.kid === set.kid) throw error;
      current = Promise.resolve(reloaded);
      changed();
      return reloaded.jwks(header, token);
    }
  };
  // The local pair changes only by being made again, which the reload above notices.
  return { getKey, fresh: () => true };
}

function unauthorized(message: string, tokenPresented: boolean): GraphError {
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, ' ');
  const challenge = tokenPresented
    ? `${WWW_AUTHENTICATE_CHALLENGE}, error="invalid_token", error_description="${description}"`
    : WWW_AUTHENTICATE_CHALLENGE;
  return new GraphError(401, message, { 'WWW-Authenticate': challenge });
}

const forbidden = (message: string) => new GraphError(403, message);

/** The token of an `Authorization: Bearer <token>` header value; 401 otherwise. */
export function bearerToken(authorization: string | null | undefined): string {
  const value = (authorization ?? '').trim();
  if (value === '') throw unauthorized('Access token is empty.', false);
  const match = BEARER.exec(value);
  if (match === null) {
    if (/^Bearer\s/i.test(value)) throw unauthorized('Access token validation failure. The token is malformed.', true);
    throw unauthorized('Access token is empty. The Authorization header must use the Bearer scheme.', false);
  }
  const token = match[1];
  if (token === undefined) throw unauthorized('Access token is empty.', false);
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('Access token validation failure. The token is too large.', true);
  return token;
}

/** Verifies signature, lifetime, audience, tenant and issuer; returns the claims. Throws GraphError 401 (503). */
async function verifyAccessToken(token: string, policy: Policy): Promise<JWTPayload> {
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
      'Retry-After': String(JWKS_RETRY_AFTER_SECONDS),
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

/** Delegated, not a personal account, and holding a scope that allows `access`. Throws GraphError 403. */
function authorize(claims: JWTPayload, access: Access): Caller {
  const tid = String(claims.tid).toLowerCase();
  const { scp, roles, idtyp, oid } = claims;
  if (tid === PERSONAL_ACCOUNT_TENANT) {
    throw forbidden('Personal Microsoft accounts are not supported. Sign in with a work or school account.');
  }
  if (typeof scp !== 'string' || idtyp === 'app') {
    throw forbidden(
      roles !== undefined || idtyp === 'app'
        ? 'Application permissions are not supported. Use a delegated (user) token.'
        : 'The token carries no delegated permissions (scp).',
    );
  }
  if (access !== 'read' && access !== 'write') throw new TypeError(`Unknown access ${String(access)}`);
  const scopes = Object.freeze(scp.split(' ').filter((s) => s !== ''));
  const needed = access === 'write' ? WRITE_SCOPES : READ_SCOPES;
  if (!scopes.some((s) => needed.includes(s))) {
    throw forbidden(`Insufficient privileges to complete the operation. This operation needs one of the delegated permissions ${needed.join(', ')}.`);
  }
  const caller: Caller = { tenantId: tid, scopes };
  if (typeof oid === 'string' && oid !== '') caller.objectId = oid;
  return caller;
}
