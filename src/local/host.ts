import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { asHttpResponse, invoke, plainResponse, type HttpResponse, type PlainResponse } from '../graph/invoke.js';
import { requestLogLine } from '../graph/request-log.js';
import type { RouteTable } from '../graph/routing.js';

/** The Functions host refuses bodies over 100 MB before any function runs. */
const HOST_BODY_LIMIT = 100 * 1024 * 1024;

export interface LocalHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalHostOptions {
  port?: number;
  host?: string;
  /** Serve HTTPS with this certificate (the v3 Graph client sends tokens only over https). */
  tls?: { cert: string; key: string };
  /**
   * Where function logs go; errors only by default (tests stay quiet). Each request's log line comes from
   * the function (src/graph/endpoint.ts, at 'information'), or from the host when no function answered.
   */
  log?: (level: string, ...args: unknown[]) => void;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > HOST_BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toHeaders(raw: IncomingMessage['headers']): [string, string][] {
  return Object.entries(raw).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]]));
}

/** A plain result (see `plainResponse`) written as it is, without building an `HttpResponse`. */
function sendPlain(res: ServerResponse, plain: PlainResponse, head: boolean): void {
  const headers = plain.body === undefined ? plain.headers : { ...plain.headers, 'content-length': String(Buffer.byteLength(plain.body)) };
  res.writeHead(plain.status, headers);
  res.end(head ? undefined : plain.body);
}

async function send(res: ServerResponse, response: HttpResponse, head: boolean): Promise<void> {
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, key) => (headers[key] ??= []).push(value));
  const body = response.body && response.status !== 204 && response.status !== 304 ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

/**
 * Serves a route table over HTTP the way the Azure Functions host does (see ARCHITECTURE.md, "One route
 * table, two hosts"): the route prefix from host.json, the first function in name order whose template
 * and method match, run through `invoke` (graph/invoke.ts) as the host would run it.
 * Handlers run unchanged; nothing here knows Graph.
 */
export async function startLocalHost(routes: RouteTable, options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((level, ...args) => level === 'error' && console.error(...args));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const answered = (status: number) =>
      log('information', requestLogLine({ method: req.method ?? '?', path: req.url ?? '/', status, ms: performance.now() - started }));
    try {
      const scheme = options.tls ? 'https' : 'http';
      const url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
      const method = (req.method ?? 'GET').toUpperCase();
      const match = routes.match(method, url.pathname);
      if (!match) {
        res.writeHead(404).end();
        answered(404);
        return;
      }
      const bytes = await readBody(req);
      if (!bytes) {
        res.writeHead(413).end();
        answered(413);
        return;
      }
      const result = await invoke(
        match,
        { method, url: url.toString(), headers: Object.fromEntries(toHeaders(req.headers)), body: method !== 'GET' && method !== 'HEAD' ? bytes : undefined },
        log,
      );
      const head = method === 'HEAD';
      const plain = plainResponse(result);
      if (plain) sendPlain(res, plain, head);
      else await send(res, asHttpResponse(result), head);
    } catch (error) {
      log('error', 'local host: unhandled failure', error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
      answered(res.statusCode);
    }
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
