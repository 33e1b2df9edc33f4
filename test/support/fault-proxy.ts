/**
 * A fault-injecting HTTP proxy between the service's Cosmos client and the embedded Cosmos server. Each
 * request asks `decide` for a fault: throttling (429 with x-ms-retry-after-ms), 503, 410, a connection reset
 * before the request reaches the server or after the server carried it out (its answer lost), a delay, or a
 * hang. Replies are JSON, as Cosmos sends them, unless `raw` asks for a body Cosmos would not send.
 */
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'throttle'; retryAfterMs: number }
  | { kind: 'status'; status: 503 | 410 | 408 | 500; raw?: string }
  | { kind: 'resetBefore' }
  | { kind: 'resetAfter' }
  | { kind: 'delay'; ms: number }
  /** The request reaches the server at once; its answer waits for `until`. */
  | { kind: 'holdAnswer'; until: Promise<unknown> }
  | { kind: 'hang' };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** A transactional batch (x-ms-cosmos-is-batch-request). */
  batch: boolean;
  /** A write: POST of a document or batch, PUT, DELETE, PATCH (not a query). */
  write: boolean;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults injected so far, by kind; `forwarded` counts requests that reached the server. */
  counts: Record<string, number>;
  /** Replaces the policy. */
  decide: (req: ProxiedRequest) => Fault | undefined;
  close(): Promise<void>;
}

const ERROR_CODES: Record<number, string> = {
  408: 'RequestTimeout',
  410: 'Gone',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-ms-activity-id': '00000000-0000-0000-0000-000000000000', ...headers });
  res.end(body);
}

/** `tls`: serve HTTPS with this certificate (the local one, src/local/tls.ts), so `npm start` runs no embedded server for it. */
export async function startFaultProxy(
  upstream: string,
  decide: FaultProxy['decide'] = () => undefined,
  tls?: { cert: string; key: string },
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const counts: Record<string, number> = {};
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  const hanging = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const proxy: FaultProxy = {
    endpoint: '',
    counts,
    decide,
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const isQuery =
      String(req.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true' || req.headers['content-type'] === 'application/query+json';
    const info: ProxiedRequest = {
      method,
      path: req.url ?? '/',
      batch: String(req.headers['x-ms-cosmos-is-batch-request']).toLowerCase() === 'true',
      write: /\/docs/.test(req.url ?? '') && ['POST', 'PUT', 'DELETE', 'PATCH'].includes(method) && !isQuery,
    };
    const fault = proxy.decide(info);
    try {
      if (fault) count(fault.kind === 'status' ? `status${fault.status}` : fault.kind);
      switch (fault?.kind) {
        case 'throttle':
          return reply(
            res,
            429,
            { 'x-ms-retry-after-ms': String(fault.retryAfterMs), 'x-ms-substatus': '3200' },
            JSON.stringify({ code: ERROR_CODES[429], message: 'Request rate is large.' }),
          );
        case 'status':
          return reply(
            res,
            fault.status,
            {},
            fault.raw ?? JSON.stringify({ code: ERROR_CODES[fault.status], message: `injected ${fault.status}` }),
          );
        case 'resetBefore':
          return req.socket.destroy();
        case 'hang':
          hanging.add(res);
          return;
        case 'delay':
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
      }
      const answer = await forward(req, body);
      count('forwarded');
      if (fault?.kind === 'resetAfter') return req.socket.destroy();
      if (fault?.kind === 'holdAnswer') await fault.until;
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      res.writeHead(answer.status, headers as Record<string, string>);
      res.end(answer.body);
    } catch {
      req.socket.destroy();
    }
  };
  const server = tls ? createHttpsServer(tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return proxy;
}
