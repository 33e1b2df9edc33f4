/**
 * The authenticator: the same code for Entra ID and local mode, only the key source (key-sources.ts) and the
 * expected audience and issuer differ. A request's token is taken from its header (bearer.ts), verified
 * (verify.ts), then authorized for the access the endpoint needs: its scopes and the user's directory roles
 * (authorize.ts, roles.ts).
 *
 * A token that passed verification is remembered (token-cache.ts) until its `exp`, or until the signing
 * keys change or are due for a refetch; authorization still runs on every request.
 */
import { bearerToken } from './bearer.js';
import { authorize } from './authorize.js';
import { localKeySource, remoteKeySource, type KeySource, type RemoteKeyOptions } from './key-sources.js';
import { assertLocalModeAllowed, LOCAL_AUDIENCE, LOCAL_ISSUER_TEMPLATE } from './local-keys.js';
import { validateIdentitySettings } from './settings.js';
import { DEFAULT_TOKEN_CACHE_SIZE, VerifiedTokenCache } from './token-cache.js';
import type { Authenticator, IdentitySettings } from './types.js';
import { CLOCK_SKEW_SECONDS, verifyAccessToken, type VerificationPolicy } from './verify.js';

export interface AuthenticatorOptions extends RemoteKeyOptions {
  /** Default CLOCK_SKEW_SECONDS. */
  clockSkewSeconds?: number;
  /** Environment checked by local mode (refused in Azure). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The verified-token cache (token-cache.ts). Default: DEFAULT_TOKEN_CACHE_SIZE entries, this clock skew. */
  tokenCache?: VerifiedTokenCache;
  /** The clock, in ms since the epoch, for lifetimes and the cache. Default Date.now. */
  now?: () => number;
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
  /** Counts key-set changes, so a token verified by a set that was replaced meanwhile is not remembered. */
  let keyGeneration = 0;
  const keysChanged = () => {
    keyGeneration += 1;
    cache.clear();
  };
  let keys: KeySource;
  let policy: VerificationPolicy;
  if (checked.mode === 'local') {
    assertLocalModeAllowed(options.env ?? process.env);
    keys = localKeySource(checked.keysDir, keysChanged);
    policy = { audience: LOCAL_AUDIENCE, issuer: LOCAL_ISSUER_TEMPLATE, getKey: keys.getKey, clockSkewSeconds, now };
  } else {
    keys = remoteKeySource(new URL(checked.jwksUri), { ...options, now }, keysChanged);
    policy = { audience: checked.audience, issuer: checked.issuer, getKey: keys.getKey, clockSkewSeconds, now };
  }
  return {
    async authenticate(authorization, access) {
      const token = bearerToken(authorization);
      const nowSeconds = Math.floor(now() / 1000);
      let claims = keys.fresh() ? cache.get(token, nowSeconds) : undefined;
      if (claims === undefined) {
        let resolvedIn = -1;
        const getKey: typeof policy.getKey = async (header, input) => {
          const key = await policy.getKey(header, input);
          resolvedIn = keyGeneration;
          return key;
        };
        claims = await verifyAccessToken(token, { ...policy, getKey });
        // Verified by a set that changed meanwhile (a background refetch): answer, but remember nothing.
        if (resolvedIn === keyGeneration) cache.set(token, claims, nowSeconds);
      }
      return authorize(claims, access, checked.roles);
    },
  };
}
