import { describe, expect, it } from 'vitest';
import functions from '@azure/functions';
import { toHttpHandler } from '../../src/graph/endpoint.js';
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
  return { response, body: (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } }, logged };
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
