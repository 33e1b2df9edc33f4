import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';
import { makeSkipToken, readSkipToken } from '../../src/graph/paging.js';
import { parseCollectionQuery } from '../../src/graph/query/index.js';
import type { EntityShape } from '../../src/lib/query.js';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const CONTINUATION = '{"token":"+RID:~abc==#RT:1#TRC:10#RTD:xyz","range":{"min":"","max":"FF"}}';

const shape: EntityShape = { properties: { id: { type: 'guid' }, name: { type: 'string' } } };
const canonical = (qs: string) => parseCollectionQuery(new URLSearchParams(qs), shape, { version: 'beta' }).canonical;
const QUERY = canonical("$filter=name eq 'a'&$top=10");
const PATH = 'beta/onpremisespublishingprofiles/applicationproxy/connectorgroups';
const binding = { tenantId: TENANT, path: PATH, query: QUERY };

function refused(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).status).toBe(400);
    expect((error as GraphError).message).toBe('The $skiptoken is invalid or does not belong to this request.');
    return error as GraphError;
  }
  throw new Error('expected a 400');
}

describe('skip tokens', () => {
  it('round-trips the continuation', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(readSkipToken(token, binding, KEY)).toBe(CONTINUATION);
  });

  it('round-trips non-ASCII and long continuations', () => {
    for (const c of ['x', 'ünïcödé ✓ 🎉', 'a'.repeat(8000)]) {
      expect(readSkipToken(makeSkipToken(c, binding, KEY), binding, KEY)).toBe(c);
    }
  });

  it('is URL-safe as a query value', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    expect(encodeURIComponent(token)).toBe(token);
    expect(new URLSearchParams(`$skiptoken=${token}`).get('$skiptoken')).toBe(token);
  });

  it('binds to the query as canonical text, so the same options in another form still work', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    const same = canonical('top=10&filter=name%20eq%20%27a%27&$skiptoken=whatever');
    expect(readSkipToken(token, { ...binding, query: same }, KEY)).toBe(CONTINUATION);
  });

  it('does not show the tenant id or the query', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    const decoded = Buffer.from(token, 'base64url');
    for (const form of [TENANT, TENANT.toUpperCase(), TENANT.replaceAll('-', '')]) {
      expect(decoded.includes(Buffer.from(form))).toBe(false);
      expect(token.includes(form)).toBe(false);
      expect(decoded.includes(Buffer.from(form, 'utf16le'))).toBe(false);
    }
    expect(decoded.includes(Buffer.from(QUERY))).toBe(false);
    // Same continuation, different tenants: tokens differ only by the MAC.
    const other = Buffer.from(makeSkipToken(CONTINUATION, { ...binding, tenantId: OTHER_TENANT }, KEY), 'base64url');
    expect(other.length).toBe(decoded.length);
    expect(other.subarray(0, -32).equals(decoded.subarray(0, -32))).toBe(true);
    expect(other.subarray(-32).equals(decoded.subarray(-32))).toBe(false);
  });

  it('refuses a token replayed by another tenant', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    refused(() => readSkipToken(token, { ...binding, tenantId: OTHER_TENANT }, KEY));
    refused(() => readSkipToken(token, { ...binding, tenantId: TENANT.toUpperCase() }, KEY));
  });

  it('refuses a token replayed with another query', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    for (const qs of [
      "$filter=name eq 'b'&$top=10",
      "$filter=name eq 'a'&$top=11",
      "$filter=name eq 'a'",
      '$top=10',
      "$filter=name eq 'a'&$top=10&$count=true",
      "$filter=name eq 'a'&$top=10&$select=id",
    ]) {
      refused(() => readSkipToken(token, { ...binding, query: canonical(qs) }, KEY));
    }
  });

  it("refuses a token replayed on another collection (another list, another group's members)", () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    const members = (group: string) => `beta/onpremisespublishingprofiles/applicationproxy/connectorgroups/${group}/members`;
    for (const path of ['beta/onpremisespublishingprofiles/applicationproxy/connectors', members(TENANT), `v1.0/${PATH.slice(5)}`]) {
      refused(() => readSkipToken(token, { ...binding, path }, KEY));
    }
    const ofOne = makeSkipToken(CONTINUATION, { ...binding, path: members(TENANT) }, KEY);
    expect(readSkipToken(ofOne, { ...binding, path: members(TENANT) }, KEY)).toBe(CONTINUATION);
    refused(() => readSkipToken(ofOne, { ...binding, path: members(OTHER_TENANT) }, KEY));
  });

  it('keeps tenant, path and query apart (no ambiguity from concatenation)', () => {
    const token = makeSkipToken(CONTINUATION, { tenantId: 'ab', path: 'c', query: 'd' }, KEY);
    refused(() => readSkipToken(token, { tenantId: 'a', path: 'bc', query: 'd' }, KEY));
    refused(() => readSkipToken(token, { tenantId: 'ab', path: '', query: 'cd' }, KEY));
    refused(() => readSkipToken(token, { tenantId: 'abc', path: 'd', query: '' }, KEY));
  });

  it('refuses a token made with another key', () => {
    refused(() => readSkipToken(makeSkipToken(CONTINUATION, binding, OTHER_KEY), binding, KEY));
  });

  it('refuses every single-byte change', () => {
    const bytes = Buffer.from(makeSkipToken('page-2', binding, KEY), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const changed = Buffer.from(bytes);
        changed[i]! ^= flip;
        refused(() => readSkipToken(changed.toString('base64url'), binding, KEY));
      }
    }
  });

  it('refuses a changed continuation with the old MAC', () => {
    const bytes = Buffer.from(makeSkipToken('page-2', binding, KEY), 'base64url');
    const forged = Buffer.concat([bytes.subarray(0, 1), Buffer.from('page-9'), bytes.subarray(-32)]);
    refused(() => readSkipToken(forged.toString('base64url'), binding, KEY));
  });

  it('refuses truncated and extended tokens', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    for (const n of [1, 2, 4, 10, 43, token.length - 1]) refused(() => readSkipToken(token.slice(0, token.length - n), binding, KEY));
    refused(() => readSkipToken(token.slice(4), binding, KEY));
    refused(() => readSkipToken(`${token}A`, binding, KEY));
    refused(() => readSkipToken(`${token}AAAA`, binding, KEY));
  });

  it('refuses malformed base64url', () => {
    const token = makeSkipToken(CONTINUATION, binding, KEY);
    const standard = Buffer.from(token, 'base64url').toString('base64');
    for (const bad of [
      '',
      ' ',
      '!!!!',
      `${token}=`,
      `${token} `,
      ` ${token}`,
      token.replace(/.$/, '*'),
      `${token.slice(0, 10)}\n${token.slice(10)}`,
    ]) {
      refused(() => readSkipToken(bad, binding, KEY));
    }
    if (/[+/=]/.test(standard)) refused(() => readSkipToken(standard, binding, KEY));
    // Non-canonical last character (unused bits set) decodes to the same bytes; still refused.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const variant = `${token.slice(0, -1)}${sibling}`;
    if (Buffer.from(variant, 'base64url').equals(Buffer.from(token, 'base64url'))) refused(() => readSkipToken(variant, binding, KEY));
  });

  it('refuses random and oversized input', () => {
    for (let i = 0; i < 50; i++) refused(() => readSkipToken(randomBytes(1 + (i % 60)).toString('base64url'), binding, KEY));
    refused(() => readSkipToken('A'.repeat(20_000), binding, KEY));
    refused(() => readSkipToken('Mg', binding, KEY));
  });

  it('refuses a token of another format version', () => {
    const bytes = Buffer.from(makeSkipToken(CONTINUATION, binding, KEY), 'base64url');
    bytes[0] = 1;
    refused(() => readSkipToken(bytes.toString('base64url'), binding, KEY));
  });

  it('is not a GraphError for programming errors (short key, empty continuation)', () => {
    expect(() => makeSkipToken(CONTINUATION, binding, randomBytes(16))).toThrow(/at least 32 bytes/);
    expect(() => readSkipToken('abc', binding, randomBytes(16))).toThrow(/at least 32 bytes/);
    expect(() => makeSkipToken('', binding, KEY)).toThrow(/empty/);
  });

  it('is deterministic for the same inputs', () => {
    expect(makeSkipToken(CONTINUATION, binding, KEY)).toBe(makeSkipToken(CONTINUATION, binding, KEY));
  });
});
