/**
 * Where the signing keys come from: Entra's JWKS over HTTPS (fetched lazily, cached, refetched when a token
 * names an unknown `kid`), or the local key pair on disk. Each source is given a `changed` callback, called when
 * a reload brings different keys, so verifications remembered under the old keys are dropped.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors, type JWK, type JWTVerifyGetKey } from 'jose';
import { loadLocalSigningKey } from './local-keys.js';

export interface KeySource {
  getKey: JWTVerifyGetKey;
  /** False when the keys are due to be fetched again: a remembered verification must not outlive them. */
  fresh(): boolean;
}

export interface RemoteKeyOptions {
  /** Minimum time between two JWKS fetches triggered by unknown kids. Default 30 s. */
  jwksCooldownMs?: number;
  /** Age after which the cached JWKS is fetched again. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** JWKS fetch timeout. Default 5 s. */
  jwksTimeoutMs?: number;
}

/** A failure of the key source itself (JWKS unreachable, key file unreadable): not the caller's fault. */
export class KeySourceUnavailable extends Error {
  constructor(cause: unknown) {
    super('The token signing keys are unavailable.', { cause });
    this.name = 'KeySourceUnavailable';
  }
}

/** Errors a key resolver throws because of the token (its kid/alg), as opposed to the key source failing. */
export const isTokenKeyError = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported;

/** The identity of a key set: its keys' ids and public material, in order. */
const keySetFingerprint = (set: { keys: JWK[] } | undefined) =>
  JSON.stringify((set?.keys ?? []).map((k) => [k.kid, k.kty, k.n, k.e, k.x, k.y, k.crv]));

export function remoteKeySource(url: URL, options: RemoteKeyOptions, changed: () => void): KeySource {
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
