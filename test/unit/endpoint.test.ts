import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import functions from '@azure/functions';
import { z } from 'zod';
import { endpoints, modules, zzzFallback } from '../../src/functions/index.js';
import { callerAddress, defineEndpoint, serve, toHttpHandler, type Call } from '../../src/graph/endpoint.js';
import { invokeItem, RouteTable } from '../../src/host/index.js';
import type { Deadline } from '../../src/lib/deadline.js';
import { storeFailure } from '../../src/store/store.js';
import type { Authenticator } from '../../src/identity/index.js';

const { HttpRequest, HttpResponse, InvocationContext } = functions;

/** The shared wrapper's failure paths that a live service rarely shows: throttling and internal errors. */
const allowAll: Authenticator = { authenticate: async () => ({ tenantId: 't', scopes: ['Directory.ReadWrite.All'] }) };

async function failWith(error: unknown) {
  const logged: unknown[] = [];
  const handler = toHttpHandler(async () => Promise.reject(error), 'read', allowAll);
  const request = new HttpRequest({ method: 'GET', url: 'http://localhost/beta/x', headers: { 'client-request-id': 'abc-123' } });
  const result = await handler(request, new InvocationContext({ logHandler: (_level, ...args) => logged.push(args) }));
  const response = new HttpResponse(result as object);
  return {
    response,
    body: (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } },
    logged,
  };
}

describe('toHttpHandler failures', () => {
  it('passes a Cosmos 429 that outlived the SDK retries on as 429 with Retry-After in whole seconds', async () => {
    const cosmos429 = Object.assign(new Error('Request rate is large'), { code: 429, retryAfterInMs: 1500 });
    const { response, body } = await failWith(storeFailure(cosmos429));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(body.error.code).toBe('tooManyRequests');
    expect(body.error.message).not.toContain('Request rate is large');
  });

  it('answers an unexpected failure with 500 generalException, nothing internal, and logs it', async () => {
    const { response, body, logged } = await failWith(new Error('secret Cosmos detail at /dbs/appproxy'));
    expect(response.status).toBe(500);
    expect(body.error.code).toBe('generalException');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(response.headers.get('request-id')).toBe(body.error.innerError['request-id']);
    expect(JSON.stringify(logged)).toContain(body.error.innerError['request-id']);
  });
});

describe('toHttpHandler scope', () => {
  /** A one-function table whose handler reports the scope it was given. */
  function recording(deadlineMs?: number) {
    const seen: Call['scope'][] = [];
    const handler = toHttpHandler(async (call) => (seen.push(call.scope), { status: 204 }), 'read', allowAll, { deadlineMs });
    const table = new RouteTable([{ name: 'x', route: 'beta/x', methods: ['GET'], handler, serve: handler }], '');
    const run = (deadline?: Deadline) =>
      invokeItem(table.match('GET', '/beta/x')!, { method: 'GET', url: 'http://localhost/beta/x', headers: {} }, () => undefined, deadline);
    return { seen, run };
  }

  it("gives the handler the caller's tenant and a deadline of the configured length, cleared once it has answered", async () => {
    const { seen, run } = recording(5_000);
    const before = Date.now();
    await run();
    expect(seen[0]!.tenantId).toBe('t');
    expect(seen[0]!.deadline!.at).toBeGreaterThanOrEqual(before + 5_000);
    expect(seen[0]!.deadline!.signal.aborted).toBe(false);
  });

  it('keeps the deadline a $batch item is invoked with when that ends first, and arms its own when it ends later', async () => {
    const { seen, run } = recording(5_000);
    const batch: Deadline = { at: Date.now() + 1_000, signal: new AbortController().signal };
    await run(batch);
    expect(seen[0]!.deadline).toBe(batch);
    const later: Deadline = { at: Date.now() + 60_000, signal: new AbortController().signal };
    await run(later);
    expect(seen[1]!.deadline!.at).toBeLessThan(later.at);
  });

  it('without a configured deadline, runs with the one it is invoked with, or none', async () => {
    const { seen, run } = recording();
    const batch: Deadline = { at: Date.now() + 1_000, signal: new AbortController().signal };
    await run(batch);
    await run();
    expect(seen.map((s) => s.deadline)).toEqual([batch, undefined]);
  });
});

describe('toHttpHandler request log', () => {
  it('logs one information line per request through the InvocationContext: method, path, status, request-id, never the token or query', async () => {
    const logged: [string, unknown[]][] = [];
    const handler = toHttpHandler(async () => ({ status: 201 }), 'read', allowAll);
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/beta/x?$filter=secret',
      headers: { authorization: 'Bearer eyJ.secret.token' },
    });
    await handler(request, new InvocationContext({ logHandler: (level, ...args) => logged.push([level, args]) }));
    expect(logged).toHaveLength(1);
    const [level, [line]] = logged[0]!;
    expect(level).toBe('information');
    expect(line).toMatch(/^POST \/beta\/x 201 \d+ms request-id=[0-9a-f-]{36}$/);
    expect(String(line)).not.toMatch(/secret|eyJ/);
  });
});

describe('endpoint declarations', () => {
  const camel = (name: string) => name.replace(/-([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

  it('export each endpoint under the camelCase form of its one name', () => {
    const exported = [...Object.values(modules).flatMap((m) => Object.entries(m)), ['zzzFallback', zzzFallback] as const];
    for (const [key, endpoint] of exported) expect(camel(endpoint.name), key).toBe(key);
    expect(exported.length).toBe(endpoints.length + 1);
  });

  it('refuse parameter kinds that do not name exactly the route parameters', () => {
    const declare = defineEndpoint<unknown>();
    const base = {
      name: 'x',
      methods: ['GET' as const],
      access: 'read' as const,
      doc: { summary: 's', status: 200 as const, response: { kind: 'none' as const } },
      handler: () => async () => ({}),
    };
    // The types refuse both as well; a declaration built at run time is checked all the same.
    expect(() => declare({ ...base, route: 'x/{id}', params: {} } as never)).toThrow(/parameters \[\] do not match the route's \[id\]/);
    expect(() => declare({ ...base, route: 'x', params: { id: 'connector' } } as never)).toThrow(/parameters \[id\] do not match/);
  });

  it('hand the handler checked values: a GUID lower-cased, the profile in any case', async () => {
    const seen: Record<string, string>[] = [];
    const probe = defineEndpoint<unknown>()({
      name: 'probe',
      route: 'p/{profileId}/c/{id}',
      methods: ['GET'],
      access: 'read',
      params: { profileId: 'profile', id: 'connector' },
      doc: { summary: 's', status: 204, response: { kind: 'none' } },
      handler:
        () =>
        async ({ params }) => {
          seen.push(params);
          return { status: 204 };
        },
    });
    const run = (params: Record<string, string>) => {
      const handler = toHttpHandler(serve(probe, undefined), 'read', allowAll);
      return handler(new HttpRequest({ method: 'GET', url: 'http://localhost/beta/p', params }), new InvocationContext());
    };
    const id = 'A0A0A0A0-B1B1-4C2C-8D3D-E4E4E4E4E4E4';
    expect((await run({ profileId: 'APPLICATIONPROXY', id })).status).toBe(204);
    expect(seen).toEqual([{ profileId: 'applicationProxy', id: id.toLowerCase() }]);
    const badId = new HttpResponse((await run({ profileId: 'applicationProxy', id: 'nope' })) as object);
    expect(badId.status).toBe(404);
    expect(((await badId.json()) as { error: { message: string } }).error.message).toMatch(/^Resource 'connector' does not exist/);
    const badProfile = new HttpResponse((await run({ profileId: 'other', id })) as object);
    expect(badProfile.status).toBe(404);
    expect(((await badProfile.json()) as { error: { message: string } }).error.message).toMatch(/^Resource 'onPremisesPublishingProfile'/);
    expect(seen).toHaveLength(1);
  });
});

describe('a declared body, precondition and create key', () => {
  const probeSchema = z.strictObject({ name: z.string() });
  const seen: unknown[] = [];
  const probe = defineEndpoint<unknown>()({
    name: 'probe',
    route: 'p',
    methods: ['POST'],
    access: 'read',
    params: {},
    doc: { summary: 's', status: 204, response: { kind: 'none' } },
    body: { schema: probeSchema, type: 'probe' },
    precondition: true,
    create: true,
    handler: () => async (call) => {
      // The edge reads the body and the client-request-id key; a handler's types offer neither.
      // @ts-expect-error no body to read
      void call.req.arrayBuffer;
      // @ts-expect-error the key comes as createKey
      void call.ctx.callerRequestId;
      const name: string = call.body.name;
      seen.push({ name, createKey: call.createKey, matches: call.ifMatch?.('"e1"') });
      return { status: 204 };
    },
  });
  const run = async (body: string, headers: Record<string, string> = {}) => {
    const handler = toHttpHandler(serve(probe, undefined), 'read', allowAll);
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/beta/p',
      headers: { 'content-type': 'application/json', ...headers },
      body: { string: body },
    });
    const response = new HttpResponse((await handler(request, new InvocationContext())) as object);
    return { status: response.status, text: await response.text() };
  };

  it('hands the handler the checked body, the parsed If-Match and the client-request-id key', async () => {
    seen.length = 0;
    expect((await run('{"name":"a"}', { 'if-match': 'W/"e1"', 'client-request-id': 'key-1' })).status).toBe(204);
    expect((await run('{"name":"b"}')).status).toBe(204);
    expect(seen).toEqual([
      { name: 'a', createKey: 'key-1', matches: true },
      { name: 'b', createKey: undefined, matches: undefined },
    ]);
  });

  it('refuses a body against its schema, naming the declared type, before the handler runs', async () => {
    seen.length = 0;
    const refused = await run('{"name":"a","extra":1}');
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).error.message).toBe("Property 'extra' does not exist on type 'microsoft.graph.probe'.");
    expect((await run('[]')).status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('gives only what is declared: no body, no If-Match, no key', async () => {
    const plain = defineEndpoint<unknown>()({
      name: 'plain',
      route: 'q',
      methods: ['POST'],
      access: 'read',
      params: {},
      doc: { summary: 's', status: 204, response: { kind: 'none' } },
      handler: () => async (call) => {
        // @ts-expect-error not declared with precondition: true
        void call.ifMatch;
        // @ts-expect-error not declared with create: true
        void call.createKey;
        seen.push(call.body);
        return { status: 204 };
      },
    });
    seen.length = 0;
    const handler = toHttpHandler(serve(plain, undefined), 'read', allowAll);
    await handler(
      new HttpRequest({ method: 'POST', url: 'http://localhost/beta/q', headers: { 'if-match': '*' }, body: { string: 'not json' } }),
      new InvocationContext(),
    );
    expect(seen).toEqual([undefined]);
  });

  it('describes the body in OpenAPI from the declaration: one schema, or any of a choice of forms picked by a property', async () => {
    expect(probe.doc.request).toBe(probeSchema);
    const other = z.strictObject({ id: z.string() });
    const choice = defineEndpoint<unknown>()({
      name: 'choice',
      route: 'c',
      methods: ['POST'],
      access: 'read',
      params: {},
      doc: { summary: 's', status: 204, response: { kind: 'none' } },
      body: {
        oneOf: [
          { schema: probeSchema, type: 'probe', when: 'name' },
          { schema: other, type: 'other' },
        ],
      },
      handler:
        () =>
        async ({ body }) => {
          seen.push('name' in body ? `name ${body.name}` : `id ${body.id}`);
          return { status: 204 };
        },
    });
    expect(z.toJSONSchema(choice.doc.request!)).toMatchObject({ anyOf: [{ required: ['name'] }, { required: ['id'] }] });
    seen.length = 0;
    const handler = toHttpHandler(serve(choice, undefined), 'read', allowAll);
    const send = async (body: string) => {
      const request = new HttpRequest({
        method: 'POST',
        url: 'http://localhost/beta/c',
        headers: { 'content-type': 'application/json' },
        body: { string: body },
      });
      const response = new HttpResponse((await handler(request, new InvocationContext())) as object);
      return response.status === 204 ? 204 : ((await response.json()) as { error: { message: string } }).error.message;
    };
    expect(await send('{"name":"n"}')).toBe(204);
    expect(await send('{"id":"i"}')).toBe(204);
    expect(await send('{"name":"n","id":"i"}')).toBe("Property 'id' does not exist on type 'microsoft.graph.probe'.");
    expect(await send('{}')).toBe("Property 'id' is required.");
    expect(seen).toEqual(['name n', 'id i']);
  });

  it('is how every endpoint of src/functions/ gets them: no handler reads a body, If-Match or the client-request-id itself', () => {
    const found: string[] = [];
    for (const file of readdirSync('src/functions')) {
      const text = readFileSync(path.join('src/functions', file), 'utf8');
      for (const m of text.matchAll(
        /parseBody|readJsonObject|validate\(|arrayBuffer|ifMatch\(|if-match|client-request-id|callerRequestId/gi,
      ))
        found.push(`${file}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });
});

describe("the caller's address for the audit record", () => {
  it('is the last X-Forwarded-For entry (the one the platform appended), without its port', () => {
    expect(callerAddress('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(callerAddress('198.51.100.1, 203.0.113.7:443')).toBe('203.0.113.7');
    expect(callerAddress('[2001:db8::1]:8080')).toBe('2001:db8::1');
    expect(callerAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(callerAddress('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(callerAddress(null)).toBeNull();
    expect(callerAddress(' ')).toBeNull();
  });
});
