/**
 * The claims of tokens already verified, so a caller sending the same token again is not checked by
 * signature on every request (an RS256 verification is the largest CPU cost of a request). Only what
 * verification proved is remembered (the claims), never an access decision: scopes and roles are checked on every
 * request. An entry is keyed by a SHA-256 of the whole token (the last token looked up is kept beside its
 * key, so a client repeating it is not rehashed), so any change to any part of a token
 * (a tampered signature or claim) misses; it is never used at or after the token's `exp` (the skew the
 * validator tolerates past `exp` is left to a full verification), nor before `nbf` minus that skew; and
 * the owner clears everything when the signing keys change.
 */
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

/** Default bound: distinct live tokens remembered (least recently used dropped first). */
export const DEFAULT_TOKEN_CACHE_SIZE = 1000;

interface Entry {
  claims: JWTPayload;
  exp: number;
  nbf: number | undefined;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * The key of the token looked up last: a client sends one token request after request (and a `$batch`
   * once per item), so its hash is kept rather than recomputed. Equal text, equal key.
   */
  private last = { token: '', key: keyOf('') };

  constructor(
    readonly maxEntries = DEFAULT_TOKEN_CACHE_SIZE,
    private readonly clockSkewSeconds = 0,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The claims remembered for `token`, if still usable at `nowSeconds`. */
  get(token: string, nowSeconds: number): JWTPayload | undefined {
    const key = this.keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (nowSeconds >= entry.exp) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry.nbf !== undefined && nowSeconds < entry.nbf - this.clockSkewSeconds) return undefined;
    // Map order is insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.claims;
  }

  /** Remembers the claims of a token that passed verification at `nowSeconds`; not once it is at `exp`. */
  set(token: string, claims: JWTPayload, nowSeconds: number): void {
    if (this.maxEntries <= 0 || typeof claims.exp !== 'number' || nowSeconds >= claims.exp) return;
    const key = this.keyOf(token);
    this.entries.delete(key);
    this.entries.set(key, { claims, exp: claims.exp, nbf: typeof claims.nbf === 'number' ? claims.nbf : undefined });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  private keyOf(token: string): string {
    if (token !== this.last.token) this.last = { token, key: keyOf(token) };
    return this.last.key;
  }
}

const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');
