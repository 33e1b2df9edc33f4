/**
 * Opaque `$skiptoken`s made from Cosmos continuation tokens.
 *
 * Token = base64url( version byte ‖ continuation (UTF-8) ‖ HMAC-SHA256 ). The MAC covers the version, the
 * continuation, the tenant id, the collection's path and the canonical query, each length-prefixed, so a
 * token only works for the tenant, the collection (e.g. one group's members) and the query it was issued
 * for. The tenant id, the path and the query are bound by the MAC only and never appear in the token. The continuation itself is not encrypted: it is Cosmos's own paging state, which
 * names no tenant and which a client cannot alter without breaking the MAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from './errors.js';

export interface SkipTokenBinding {
  tenantId: string;
  /** The collection: its canonical path, parent ids included (`collectionPath`). */
  path: string;
  /** `CollectionQuery.canonical`. */
  query: string;
}

// 2: the path joined the binding; tokens of version 1 are refused as malformed.
const VERSION = 2;
const MAC_BYTES = 32;
const MIN_KEY_BYTES = 32;
/** Longer tokens are refused before any work; Cosmos continuations are far smaller. */
const MAX_TOKEN_CHARS = 16_384;
const DOMAIN = Buffer.from('appproxy-graph/skiptoken\0', 'utf8');
const INVALID = 'The $skiptoken is invalid or does not belong to this request.';

function checkKey(key: Uint8Array) {
  if (key.byteLength < MIN_KEY_BYTES) throw new Error(`paging: the skip token key must be at least ${MIN_KEY_BYTES} bytes`);
}

function mac(version: number, payload: Uint8Array, binding: SkipTokenBinding, key: Uint8Array): Buffer {
  const hmac = createHmac('sha256', key);
  hmac.update(DOMAIN);
  hmac.update(Uint8Array.of(version));
  const parts = [binding.tenantId, binding.path, binding.query].map((text) => Buffer.from(text, 'utf8'));
  for (const part of [...parts, payload]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.byteLength);
    hmac.update(length);
    hmac.update(part);
  }
  return hmac.digest();
}

export function makeSkipToken(continuation: string, binding: SkipTokenBinding, key: Uint8Array): string {
  checkKey(key);
  if (continuation === '') throw new Error('paging: an empty continuation has no next page');
  const payload = Buffer.from(continuation, 'utf8');
  return Buffer.concat([Uint8Array.of(VERSION), payload, mac(VERSION, payload, binding, key)]).toString('base64url');
}

/** The continuation inside `token`, or a 400 when the token is malformed, altered or issued for another tenant, collection or query. */
export function readSkipToken(token: string, binding: SkipTokenBinding, key: Uint8Array): string {
  checkKey(key);
  const invalid = () => badRequest(INVALID);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  const bytes = Buffer.from(token, 'base64url');
  // Buffer's decoder is lenient; only the exact encoding we produce is accepted.
  if (bytes.toString('base64url') !== token) throw invalid();
  if (bytes.byteLength < 1 + 1 + MAC_BYTES || bytes[0] !== VERSION) throw invalid();
  const payload = bytes.subarray(1, bytes.byteLength - MAC_BYTES);
  const given = bytes.subarray(bytes.byteLength - MAC_BYTES);
  const expected = mac(VERSION, payload, binding, key);
  if (!timingSafeEqual(given, expected)) throw invalid();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    throw invalid();
  }
}
