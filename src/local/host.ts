import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpResponseInit } from '@azure/functions';
import { GraphError, badRequest, methodNotAllowed, notFound } from '../graph/errors.js';
import { bareErrorResponse } from '../graph/http.js';
import { asHttpResponse, invoke, plainResponse, UnbuildableRequest, type HttpResponse, type InvokeResult, type PlainResponse } from '../graph/invoke.js';
import { requestLogLine } from '../graph/request-log.js';
import type { RouteTable } from '../graph/routing.js';

/** The Functions host refuses bodies over 100 MB before any function runs. */
const HOST_BODY_LIMIT = 100 * 1024 * 1024;
/** The request line and headers together, as Kestrel (the host's server) bounds them by default: 32 KB. */
export const HOST_HEADER_LIMIT = 32 * 1024;

/** A Host header: a DNS name, IPv4 or bracketed IPv6 address, and an optional port of at most 65535. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?)(?::(\d{1,5}))?$/;

export function isValidHostHeader(value: string | undefined): value is string {
  const m = value === undefined ? null : HOST_HEADER.exec(value);
  if (!m) return false;
  if (m[1]!.startsWith('[') && !isIPv6(m[1]!.slice(1, -1))) return false;
  return m[2] === undefined || Number(m[2]) <= 65535;
}

/** A backslash, a control character or a space. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE_TARGET_CHARACTER = /[\\\x00-\x20\x7f]/;

/**
 * A request target the host accepts: origin-form (`/path?query`), no backslash or control character, and
 * parseable with the Host. `//x` is a path whose first segment is empty (it never names a host).
 */
function requestUrl(scheme: string, host: string, target: string | undefined): URL | undefined {
  if (!target || !target.startsWith('/') || UNSAFE_TARGET_CHARACTER.test(target)) return undefined;
  try {
    const url = new URL(`${scheme}://${host}${target}`);
    return url.host === new URL(`${scheme}://${host}`).host ? url : undefined;
  } catch {
    return undefined;
  }
}

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

const NO_BODY = Buffer.alloc(0);

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  // Neither Content-Length nor Transfer-Encoding: HTTP/1.1 says there is no body (most requests: GETs).
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return NO_BODY;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > HOST_BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toHeaders(raw: IncomingMessage['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** A plain result (see `plainResponse`: its headers are a fresh object) written as it is, without building an `HttpResponse`. */
function sendPlain(res: ServerResponse, plain: PlainResponse, head: boolean): void {
  const headers = plain.headers;
  if (plain.body !== undefined) headers['content-length'] = String(Buffer.byteLength(plain.body));
  res.writeHead(plain.status, headers);
  res.end(head ? undefined : plain.body);
}

/** A whole HTTP/1.1 response as bytes, for refusals written straight to the socket (parser errors). */
function rawResponse(init: HttpResponseInit): string {
  const body = typeof init.body === 'string' ? init.body : '';
  const headers = Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const status = init.status ?? 500;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

async function send(res: ServerResponse, response: HttpResponse, head: boolean): Promise<void> {
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, key) => (headers[key] ??= []).push(value));
  const body = response.body && response.status !== 204 && response.status !== 304 ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

/**
 * Serves a route table over HTTP the way the Azure Functions host does (docs/ARCHITECTURE.md, "One route
 * table, two hosts"): the route prefix from host.json, the first function in name order whose template
 * and method match, run through `invoke` (graph/invoke.ts) as the host would run it. Handlers run unchanged.
 * What the host's front end refuses before any function runs (a malformed target or Host header, headers
 * over the limit, a method no function serves, a body over the limit) gets a Graph error body.
 */
export async function startLocalHost(routes: RouteTable, options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((level, ...args) => level === 'error' && console.error(...args));
  const scheme = options.tls ? 'https' : 'http';
  const refuse = (req: IncomingMessage, error: GraphError) =>
    asHttpResponse(bareErrorResponse(error, [req.headers['client-request-id']].flat()[0]));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const started = performance.now();
    const answered = (status: number) =>
      log('information', requestLogLine({ method: req.method ?? '?', path: req.url ?? '/', status, ms: performance.now() - started }));
    // The host's own refusals, before or instead of a function: a Graph body and a log line.
    const refused = async (error: GraphError) => {
      await send(res, refuse(req, error), method === 'HEAD');
      answered(error.status);
    };
    try {
      const host = req.headers.host;
      if (!isValidHostHeader(host)) {
        await refused(badRequest('The Host header is missing or malformed.'));
        return;
      }
      const url = requestUrl(scheme, host, req.url);
      if (!url) {
        await refused(badRequest('The request target is malformed.'));
        return;
      }
      const match = routes.match(method, url.pathname);
      if (!match) {
        // No function serves this method: 405 where another method is served, else 404, as the fallback answers.
        const known = routes.match(undefined, url.pathname, (fn) => !fn.route.includes('{*'));
        await refused(known ? methodNotAllowed() : notFound(`Resource '${url.pathname.slice(0, 200)}'`));
        return;
      }
      const bytes = await readBody(req);
      if (!bytes) {
        await refused(new GraphError(413, `The request body exceeds the host's limit of ${HOST_BODY_LIMIT} bytes.`));
        return;
      }
      let result: InvokeResult;
      try {
        result = await invoke(
          match,
          { method, url: url.toString(), headers: toHeaders(req.headers), body: method !== 'GET' && method !== 'HEAD' ? bytes : undefined },
          log,
        );
      } catch (error) {
        if (!(error instanceof UnbuildableRequest)) throw error;
        await refused(badRequest('The request has an invalid header.'));
        return;
      }
      const head = method === 'HEAD';
      const plain = plainResponse(result);
      if (plain) sendPlain(res, plain, head);
      else await send(res, asHttpResponse(result), head);
    } catch (error) {
      log('error', 'local host: unhandled failure', error);
      if (res.headersSent) {
        res.end();
        return;
      }
      await refused(new GraphError(500, 'An internal error occurred. Quote the request-id when reporting it.'));
    }
  };
  // Requests the HTTP parser refuses (headers over the limit, malformed lines) get a Graph body too.
  const clientError = (error: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const refusal =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? new GraphError(431, `The request line and headers exceed the host's limit of ${HOST_HEADER_LIMIT} bytes.`)
        : badRequest('The request is malformed.');
    socket.end(rawResponse(bareErrorResponse(refusal)));
  };
  // The Host header is checked above, to answer a Graph 400 rather than Node's bare one.
  const limits = { maxHeaderSize: HOST_HEADER_LIMIT, requireHostHeader: false };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ...limits }, handle)
    : createHttpServer(limits, handle);
  server.on('clientError', clientError);
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
