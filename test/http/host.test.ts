/**
 * The local host refuses what the Functions host's front end (Kestrel and its router) refuses, the way it
 * does: a bare status without a Graph body for malformed targets and Host headers (400), `//` paths (404,
 * never routed), a request line over 8 KB (414), headers over 32 KB (431), methods no function lists (404).
 * test/http/host-routing.test.ts holds it to the host's measured answers. And whose host the links name: the
 * Host header when it is a trusted name (else the canonical host), or X-Forwarded-Host only when
 * FORWARDED_HOSTS names it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_HEADER_LIMIT, REQUEST_LINE_LIMIT, isValidHostHeader } from '../../src/local/host.js';
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

/** Kestrel's or the router's own answer: the status, no body, none of the service's headers. */
function expectBare(r: RawReply, status: number) {
  expect(r.status, r.body).toBe(status);
  expect(r.body).toBe('');
  expect(r.headers['request-id']).toBeUndefined();
}

describe('request targets', () => {
  it('never routes a path that starts with //: a bare 404 from the router, not a host named by the path', async () => {
    for (const target of [`//beta/${GROUPS.slice(6)}`, `//${GROUPS}`, '//beta/x', '//evil.example/beta/x']) {
      expectBare(await rawRequest(t.port, request('GET', target, auth())), 404);
    }
    // The same path with one slash is served.
    expect((await rawRequest(t.port, request('GET', GROUPS, auth()))).status).toBe(200);
  });

  it('refuses malformed targets with a bare 400, as Kestrel does (405 for * with another method than OPTIONS)', async () => {
    for (const target of [`http://evil.example${GROUPS}`, 'beta/x', `/beta/${'%'.repeat(3)}\u0001`]) {
      expectBare(await rawRequest(t.port, request('GET', target, auth())), 400);
    }
    expectBare(await rawRequest(t.port, request('GET', '*', auth())), 405);
  });

  it('decodes the path before routing: /v1%2E0/ is the v1.0 service, its links say v1.0', async () => {
    const r = await rawRequest(t.port, request('GET', `/v1%2E0${GROUPS.slice(5)}?$top=1`, auth()));
    expect(r.status, r.body).toBe(200);
    expect(r.json['@odata.context']).toMatch(/\/v1\.0\/\$metadata#/);
  });
});

describe('Host headers', () => {
  it('tells valid from malformed', () => {
    for (const ok of ['localhost', 'localhost:7071', '127.0.0.1:65535', '[::1]:80', 'api.contoso.com', 'a_b.example'])
      expect(isValidHostHeader(ok), ok).toBe(true);
    for (const bad of ['', 'a b', '[', '[::1', 'x:65536', 'x:99999', 'x:', 'x:-1', ':80', 'a/b', 'a@b', '[zz]:1', undefined])
      expect(isValidHostHeader(bad), String(bad)).toBe(false);
  });

  it('answers a bare 400 for a missing, repeated or malformed Host, before any function runs', async () => {
    const others = [`Authorization: Bearer ${token}`];
    for (const host of ['a b', '[', '', 'localhost:65536', 'x:99999999']) {
      expectBare(await rawRequest(t.port, request('GET', GROUPS, [`Host: ${host}`, ...others])), 400);
    }
    expectBare(await rawRequest(t.port, request('GET', GROUPS, others)), 400);
    expectBare(await rawRequest(t.port, request('GET', GROUPS, [`Host: 127.0.0.1:${t.port}`, 'Host: other', ...others])), 400);
  });
});

describe('limits and methods', () => {
  it("answers Kestrel's 414 for a request line over 8 KB and 431 for headers over 32 KB, serving what is under them", async () => {
    expectBare(await rawRequest(t.port, request('GET', GROUPS, { ...auth(), 'x-padding': 'p'.repeat(HOST_HEADER_LIMIT) })), 431);
    expectBare(await rawRequest(t.port, request('GET', `${GROUPS}?$filter=${'x'.repeat(REQUEST_LINE_LIMIT)}`, auth())), 414);
    expectBare(await rawRequest(t.port, request('GET', `${GROUPS}?$filter=${'x'.repeat(HOST_HEADER_LIMIT * 2)}`, auth())), 414);
    const under = await rawRequest(t.port, request('GET', GROUPS, { ...auth(), 'x-padding': 'p'.repeat(HOST_HEADER_LIMIT / 2) }));
    expect(under.status, under.body).toBe(200);
    const longFilter = await rawRequest(
      t.port,
      request('GET', `${GROUPS}?$filter=${encodeURIComponent(`name eq '${'x'.repeat(4000)}'`)}`, auth()),
    );
    expect(longFilter.status, longFilter.body).toBe(200);
  });

  it("answers a bare 404 for a method the fallback does not list; the fallback's Graph 405 for one it does", async () => {
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'FROB']) {
      expectBare(await rawRequest(t.port, request(method, GROUPS, auth())), 404);
      expectBare(await rawRequest(t.port, request(method, '/beta/nothing/here', auth())), 404);
    }
    expectGraphError(await rawRequest(t.port, request('PUT', GROUPS, auth(), '{}')), 405);
    expectGraphError(await rawRequest(t.port, request('GET', '/beta/nothing/here', auth())), 404, 'Request_ResourceNotFound');
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
      const list = await proxied.call('GET', `${GROUPS}?$top=1`, {
        tenant,
        headers: { 'x-forwarded-host': 'api.contoso.com', 'x-forwarded-proto': 'https' },
      });
      expect(list.body['@odata.nextLink']).toMatch(/^https:\/\/api\.contoso\.com\/beta\//);
    } finally {
      await proxied.close();
    }
  });
});

describe('links name the Host header only when it is trusted', () => {
  /** Every absolute link one round of calls gets back, each sent with `host` as its Host header. */
  async function linksFor(app: TestApp, host: string): Promise<string[]> {
    const headers = { Host: host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const post = (path: string, body: unknown) => rawRequest(app.port, request('POST', path, headers, JSON.stringify(body)));
    const get = (path: string) => rawRequest(app.port, request('GET', path, headers));
    const created = await post(GROUPS, { name: `g-${randomUUID().slice(0, 8)}` });
    await app.createGroup(tenant);
    expect(created.status, created.body).toBe(201);
    const application = randomUUID();
    await app.assignApplication(tenant, application, created.json.id);
    const list = await get(`${GROUPS}?$top=1`);
    const reference = await get(`/beta/applications/${application}/connectorGroup/$ref`);
    const batch = await post('/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `${GROUPS.slice(5)}?$top=1` },
        {
          id: '2',
          method: 'POST',
          url: GROUPS.slice(5),
          headers: { 'content-type': 'application/json' },
          body: { name: `b-${randomUUID().slice(0, 8)}` },
        },
      ],
    });
    const [item1, item2] = [1, 2].map((n) => batch.json.responses.find((r: { id: string }) => r.id === String(n)));
    return [
      created.headers.location!,
      created.json['@odata.context'],
      list.json['@odata.context'],
      list.json['@odata.nextLink'],
      reference.json['@odata.context'],
      reference.json['@odata.id'],
      item1.body['@odata.context'],
      item1.body['@odata.nextLink'],
      item2.headers.Location ?? item2.headers.location,
      item2.body['@odata.context'],
    ];
  }
  const expectAllAt = (links: string[], origin: string) => {
    expect(links).toHaveLength(10);
    for (const link of links) expect(typeof link === 'string' && link.startsWith(`${origin}/`), `${link} at ${origin}`).toBe(true);
  };

  it("locally: the loopback names and the machine's name are kept; any other Host gets localhost, on the request's port", async () => {
    for (const host of [`localhost:${t.port}`, `127.0.0.1:${t.port}`, `[::1]:${t.port}`, `${hostname().toLowerCase()}:${t.port}`]) {
      expectAllAt(await linksFor(t, host), `http://${host}`);
    }
    expectAllAt(await linksFor(t, `evil.example:${t.port}`), `http://localhost:${t.port}`);
    expectAllAt(await linksFor(t, 'evil.example'), 'http://localhost');
  });

  it("with WEBSITE_HOSTNAME (the app's own name; Core Tools sets localhost:<port>) and TRUSTED_HOSTS: those are kept too, any other Host gets WEBSITE_HOSTNAME", async () => {
    const named = await startTestApp({
      env: { WEBSITE_HOSTNAME: 'AppProxy-x1.azurewebsites.net', TRUSTED_HOSTS: 'graph.contoso.com, gw.contoso.com:8443' },
    });
    try {
      expectAllAt(await linksFor(named, 'appproxy-x1.azurewebsites.net'), 'http://appproxy-x1.azurewebsites.net');
      expectAllAt(await linksFor(named, 'Graph.Contoso.com'), 'http://graph.contoso.com');
      expectAllAt(await linksFor(named, 'gw.contoso.com:8443'), 'http://gw.contoso.com:8443');
      expectAllAt(await linksFor(named, `localhost:${named.port}`), `http://localhost:${named.port}`);
      for (const host of ['evil.example:7411', 'gw.contoso.com:9443', 'appproxy-x1.azurewebsites.net.evil.example']) {
        expectAllAt(await linksFor(named, host), 'http://appproxy-x1.azurewebsites.net');
      }
    } finally {
      await named.close();
    }
  });
});
