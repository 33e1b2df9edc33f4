import functions, { type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable } from '../../src/host/index.js';
import { startLocalHost, type LocalHost } from '../../src/local/host.js';

const { HttpResponse } = functions;

/** The local host writes plain results itself; they must reach the client as `HttpResponse` would shape them. */
describe('the local host: results written as the Functions runtime shapes them', () => {
  const results: Record<string, HttpResponseInit | InstanceType<typeof HttpResponse>> = {
    plain: { status: 201, headers: { 'Content-Type': 'application/json', 'OData-Version': '4.0' }, body: '{"a":1}' },
    untyped: { body: 'hello' },
    empty: { status: 204, headers: { 'request-id': 'r1' } },
    repeated: { status: 200, headers: { 'X-Same': 'a', 'x-same': 'b', 'Content-Type': 'text/plain' }, body: 'ünïcode' },
    json: { status: 200, jsonBody: { b: 2 } },
    bytes: { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3]) },
    instance: new HttpResponse({ status: 202, headers: { 'X-Kind': 'instance' }, body: 'made' }),
  };
  let host: LocalHost;

  beforeAll(async () => {
    const routes = new RouteTable(
      Object.keys(results).map((name) => ({ name, route: `t/${name}`, methods: ['GET'], handler: async () => results[name]! })),
      '',
    );
    host = await startLocalHost(routes);
  });
  afterAll(() => host.close());

  const get = (name: string) => fetch(`${host.url}/t/${name}`);

  it('keeps status, headers (names lower-cased) and a string body', async () => {
    const res = await get('plain');
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(res.headers.get('content-length')).toBe('7');
    expect(await res.text()).toBe('{"a":1}');
  });

  it('defaults to 200 and text/plain for a string body without a type, joins repeated names, counts bytes', async () => {
    const untyped = await get('untyped');
    expect(untyped.status).toBe(200);
    expect(untyped.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await untyped.text()).toBe('hello');
    const repeated = await get('repeated');
    expect(repeated.headers.get('x-same')).toBe('a, b');
    expect(repeated.headers.get('content-length')).toBe(String(Buffer.byteLength('ünïcode')));
    expect(await repeated.text()).toBe('ünïcode');
  });

  it('sends no body on 204', async () => {
    const res = await get('empty');
    expect(res.status).toBe(204);
    expect(res.headers.get('request-id')).toBe('r1');
    expect(await res.text()).toBe('');
  });

  it('still goes through HttpResponse for jsonBody, bytes and HttpResponse instances', async () => {
    const json = await get('json');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({ b: 2 });
    const bytes = await get('bytes');
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    const instance = await get('instance');
    expect([instance.status, instance.headers.get('x-kind'), await instance.text()]).toEqual([202, 'instance', 'made']);
  });
});
