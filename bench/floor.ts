/**
 * The floor of the load benchmark: the baseline's own request logic (`answer` in `baseline.ts`, so the very
 * same Cosmos calls and minimal JSON answers) served as ONE Functions function, a catch-all route, through
 * the local host (`src/local/host.ts`). Each request so pays what the Functions host and worker pay in Azure
 * too: the route match, the `HttpRequest` (an undici `Request` with a web stream for its body), the
 * `InvocationContext`, and the body read through `req.arrayBuffer()`, as the service reads it
 * (src/graph/body.ts). None of the service's own work: no token check, no validation, no Graph shaping.
 * The service's cost above this floor is what its code can still win; below it, nothing can go.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Container } from '@azure/cosmos';
import { RouteTable } from '../src/host/index.js';
import { startLocalHost } from '../src/local/host.js';
import { answer } from './baseline.js';

export async function startFloor(container: Container): Promise<{ url: string; close(): Promise<void> }> {
  const handler = async (req: HttpRequest): Promise<HttpResponseInit> => {
    const { status, value } = await answer(container, {
      method: req.method,
      path: new URL(req.url).pathname,
      tenant: req.headers.get('x-tenant') ?? '',
      query: req.query,
      body: async () => JSON.parse(Buffer.from(await req.arrayBuffer()).toString('utf8')) as unknown,
    });
    // A string body: the host writes it as it is (host/invoke.ts, plainResponse), as it does the service's.
    return value === undefined ? { status } : { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
  };
  // The service's route prefix is "" too (host.json); its routes carry their version.
  const routes = new RouteTable([{ name: 'floor', route: '{*rest}', methods: ['GET', 'POST'], handler }], '');
  const host = await startLocalHost(routes);
  return { url: host.url, close: () => host.close() };
}
