/**
 * The local host is as strict as the Functions host's front end, and every refusal it makes before a
 * function runs has a Graph error body: malformed request targets and Host headers (400), `//` paths (never
 * routed), headers over the limit (431), methods no function serves (405/404). And whose host the links
 * name: the Host header, or X-Forwarded-Host only when FORWARDED_HOSTS names it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_HEADER_LIMIT, isValidHostHeader } from '../../src/local/host.js';
import { PROFILE, startTestApp, type TestApp } from '../support/app.js';
import { rawRequest, type RawReply } from '../support/raw-http.js';
import { tokenFor } from '../support/tokens.js';

let t: TestApp;
let token: string;
const tenant = randomUUID();
beforeAll(async () => {
  t = await startTestApp();
  token = await tokenFor(tenant);
});
afterAll(async () => t?.close());

const GROUPS = `${PROFILE}/connectorGroups`;

function request(method: string, target: string, headers: Record<string, string> | string[] = {}, body = ''): string {
  const lines = Array.isArray(headers) ? headers : Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${[...lines, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`;
}

const auth = () => ({ Host: `127.0.0.1:${t.port}`, Authorization: `Bearer ${token}` });

function expectGraphError(r: RawReply, status: number, code?: string) {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(r.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.json?.error?.code, r.body).toEqual(code ?? expect.any(String));
  expect(r.json.error.message).toEqual(expect.any(String));
  expect(r.json.error.innerError['request-id']).toBe(r.headers['request-id']);
}

describe('request targets', () => {
  it('never routes a path that starts with //: a Graph 404, not a host named by the path', async () => {
    for (const target of [`//beta/${GROUPS.slice(6)}`, `//${GROUPS}`, '//beta/x', '//evil.example/beta/x']) {
      const r = await rawRequest(t.port, request('GET', target, auth()));
      expectGraphError(r, 404, 'Request_ResourceNotFound');
    }
    // The same path with one slash is served.
    expect((await rawRequest(t.port, request('GET', GROUPS, auth()))).status).toBe(200);
  });

  it('refuses malformed targets with a Graph 400', async () => {
    for (const target of [`http://evil.example${GROUPS}`, '*', `${GROUPS}\\..\\x`, 'beta/x', `/beta/${'%'.repeat(3)}\u0001`]) {
      const r = await rawRequest(t.port, request('GET', target, auth()));
      expectGraphError(r, 400, 'Request_BadRequest');
    }
  });
});

describe('Host headers', () => {
  it('tells valid from malformed', () => {
    for (const ok of ['localhost', 'localhost:7071', '127.0.0.1:65535', '[::1]:80', 'api.contoso.com', 'a_b.example']) expect(isValidHostHeader(ok), ok).toBe(true);
    for (const bad of ['', 'a b', '[', '[::1', 'x:65536', 'x:99999', 'x:', 'x:-1', ':80', 'a/b', 'a@b', '[zz]:1', undefined]) expect(isValidHostHeader(bad), String(bad)).toBe(false);
  });

  it('answers a Graph 400 for a missing or malformed Host, before any function runs', async () => {
    const others = { Authorization: `Bearer ${token}` };
    for (const host of ['a b', '[', '', 'localhost:65536', 'x:99999999']) {
      const r = await rawRequest(t.port, request('GET', GROUPS, [`Host: ${host}`, ...Object.entries(others).map(([k, v]) => `${k}: ${v}`)]));
      expectGraphError(r, 400, 'Request_BadRequest');
      expect(r.json.error.message).toContain('Host');
    }
    expectGraphError(await rawRequest(t.port, request('GET', GROUPS, others)), 400, 'Request_BadRequest');
  });
});

describe('limits and methods', () => {
  it('answers 431 with a Graph body for headers over the limit, and serves headers under it', async () => {
    const big = await rawRequest(t.port, request('GET', GROUPS, { ...auth(), 'x-padding': 'p'.repeat(HOST_HEADER_LIMIT) }));
    expectGraphError(big, 431, 'requestHeaderFieldsTooLarge');
    const longTarget = await rawRequest(t.port, request('GET', `${GROUPS}?$filter=${'x'.repeat(HOST_HEADER_LIMIT)}`, auth()));
    expectGraphError(longTarget, 431);
    const under = await rawRequest(t.port, request('GET', GROUPS, { ...auth(), 'x-padding': 'p'.repeat(HOST_HEADER_LIMIT / 2) }));
    expect(under.status, under.body).toBe(200);
  });

  it('answers a Graph 405 for a method no function serves on a served path, a Graph 404 elsewhere, 400 for unknown methods', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      expectGraphError(await rawRequest(t.port, request(method, GROUPS, auth())), 405);
      expectGraphError(await rawRequest(t.port, request(method, '/beta/nothing/here', auth())), 404, 'Request_ResourceNotFound');
    }
    // Methods the parser does not know never reach routing.
    expectGraphError(await rawRequest(t.port, request('FROB', GROUPS, auth())), 400, 'Request_BadRequest');
    // A served path with a method only other functions serve is the fallback's 405, as before.
    expectGraphError(await rawRequest(t.port, request('PUT', GROUPS, auth(), '{}')), 405);
  });
});

describe('the host the links name', () => {
  const create = (app: TestApp, headers: Record<string, string>) =>
    app.call('POST', GROUPS, { tenant, body: { name: `g-${randomUUID().slice(0, 8)}` }, headers });

  it('ignores X-Forwarded-Host and -Proto unless a setting names the proxy', async () => {
    const r = await create(t, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(r.status, r.text).toBe(201);
    for (const link of [r.headers.get('location')!, r.body['@odata.context']]) expect(link.startsWith(`${t.url}/beta/`), link).toBe(true);
    expect(r.text).not.toContain('evil.example');
  });

  it('takes X-Forwarded-Host (and -Proto) only when FORWARDED_HOSTS lists it', async () => {
    const proxied = await startTestApp({ env: { FORWARDED_HOSTS: 'api.contoso.com, gw.contoso.com:8443' } });
    try {
      const via = await create(proxied, { 'x-forwarded-host': 'API.contoso.com', 'x-forwarded-proto': 'https' });
      expect(via.headers.get('location')).toMatch(/^https:\/\/api\.contoso\.com\/beta\/onPremisesPublishingProfiles\//);
      expect(via.body['@odata.context']).toMatch(/^https:\/\/api\.contoso\.com\/beta\/\$metadata#/);
      const port = await create(proxied, { 'x-forwarded-host': 'gw.contoso.com:8443, inner.local' });
      expect(port.headers.get('location')).toMatch(/^http:\/\/gw\.contoso\.com:8443\/beta\//);
      const other = await create(proxied, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
      expect(other.headers.get('location')!.startsWith(`${proxied.url}/beta/`)).toBe(true);
      const list = await proxied.call('GET', `${GROUPS}?$top=1`, { tenant, headers: { 'x-forwarded-host': 'api.contoso.com', 'x-forwarded-proto': 'https' } });
      expect(list.body['@odata.nextLink']).toMatch(/^https:\/\/api\.contoso\.com\/beta\//);
    } finally {
      await proxied.close();
    }
  });
});
