/**
 * Where the signing keys come from: Entra's JWKS over HTTPS (fetched lazily, cached, refetched when a token
 * names an unknown `kid`), or the local key pair on disk. Each source is given a `changed` callback, called when
 * a reload brings different keys, so verifications remembered under the old keys are dropped.
 *
 * The JWKS is fetched as Microsoft.IdentityModel's ConfigurationManager fetches its metadata: one fetch in
 * flight at a time, none sooner than a cool-down after the last one, failed ones included (while no keys are at
 * hand, a shorter wait doubling up to the cool-down), and the keys at hand used while a refetch is under way or
 * after it failed. So tokens with made-up `kid`s cost no fetch each, and an outage of the identity provider
 * costs few.
 */
import { createLocalJWKSet, errors, type JWK, type JWTVerifyGetKey } from 'jose';
import { loadLocalSigningKey } from './local-keys.js';

export interface KeySource {
  getKey: JWTVerifyGetKey;
  /** False when the keys are due to be fetched again: a remembered verification must not outlive them. */
  fresh(): boolean;
}

export interface RemoteKeyOptions {
  /** Minimum time from one JWKS fetch (succeeded or failed) to the next. Default 30 s. */
  jwksCooldownMs?: number;
  /** Age after which the cached JWKS is fetched again. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** JWKS fetch timeout. Default 5 s. */
  jwksTimeoutMs?: number;
  /** The clock, in ms since the epoch. Default Date.now. */
  now?: () => number;
}

/** The first retry after a failed fetch while no keys are at hand; it doubles up to the cool-down. */
const BOOTSTRAP_RETRY_MS = 1_000;
const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** A failure of the key source itself (JWKS unreachable, key file unreadable): not the caller's fault. */
export class KeySourceUnavailable extends Error {
  /** `retryAfterSeconds`: when the source will be tried again. */
  constructor(
    cause: unknown,
    readonly retryAfterSeconds = 10,
  ) {
    super('The token signing keys are unavailable.', { cause });
    this.name = 'KeySourceUnavailable';
  }
}

/** Errors a key resolver throws because of the token (its kid/alg), as opposed to the key source failing. */
export const isTokenKeyError = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported;

/** The identity of a key set: its keys' ids and public material, in order. */
const keySetFingerprint = (set: { keys: JWK[] } | undefined) =>
  JSON.stringify((set?.keys ?? []).map((k) => [k.kid, k.kty, k.n, k.e, k.x, k.y, k.crv]));

export function remoteKeySource(url: URL, options: RemoteKeyOptions, changed: () => void): KeySource {
  const cooldownMs = options.jwksCooldownMs ?? 30_000;
  const maxAgeMs = options.jwksCacheMaxAgeMs ?? 600_000;
  const timeoutMs = options.jwksTimeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  let keys: { resolve: JWTVerifyGetKey; fetchedAt: number } | undefined;
  let fingerprint = keySetFingerprint(undefined);
  /** No fetch starts before this time: the cool-down after every attempt, longer after failures. */
  let nextFetchAt = 0;
  let bootstrapDelayMs = BOOTSTRAP_RETRY_MS;
  let inFlight: Promise<void> | undefined;

  const fetchKeys = async (): Promise<void> => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (response.status !== 200) throw new Error(`The JWKS endpoint answered ${response.status}.`);
      const set = (await response.json()) as { keys: JWK[] };
      const resolve = createLocalJWKSet(set); // throws on anything but a JWKS
      keys = { resolve, fetchedAt: now() };
      nextFetchAt = now() + cooldownMs;
      bootstrapDelayMs = BOOTSTRAP_RETRY_MS;
      const next = keySetFingerprint(set);
      if (next !== fingerprint) {
        fingerprint = next;
        changed();
      }
    } catch (error) {
      // As Microsoft.IdentityModel's ConfigurationManager: with keys at hand, wait the full cool-down; without,
      // retry sooner, doubling the wait up to the cool-down.
      const delay = keys === undefined ? Math.min(bootstrapDelayMs, cooldownMs) : cooldownMs;
      if (keys === undefined) bootstrapDelayMs *= 2;
      nextFetchAt = now() + delay;
      throw new KeySourceUnavailable(error, retryAfterSeconds(delay));
    }
  };
  /** Fetches unless a fetch is under way (then waits for it) or the cool-down forbids one; false then. */
  const refresh = async (): Promise<boolean> => {
    if (inFlight === undefined) {
      if (now() < nextFetchAt) return false;
      inFlight = fetchKeys().finally(() => (inFlight = undefined));
    }
    await inFlight;
    return true;
  };
  const unavailable = () => new KeySourceUnavailable(undefined, retryAfterSeconds(nextFetchAt - now()));
  const due = () => keys === undefined || now() - keys.fetchedAt >= maxAgeMs;

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (keys === undefined) {
      await refresh();
      if (keys === undefined) throw unavailable();
    } else if (due()) {
      // A set past its age is refetched in the background: it verifies meanwhile, and while the fetch fails.
      refresh().catch(() => undefined);
    }
    try {
      return await keys.resolve(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid may be a rotated key: fetch again, at most once per cool-down (forged kids cost nothing).
      const before = keys;
      const fetched = await refresh().catch(() => false);
      if (!fetched || keys === before) throw error;
      return keys.resolve(header, token);
    }
  };
  return { getKey, fresh: () => !due() };
}

export function localKeySource(keysDir: string, changed: () => void): KeySource {
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
