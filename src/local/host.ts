import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  decodePath,
  pathToUri,
  asHttpResponse,
  invoke,
  plainResponse,
  UnbuildableRequest,
  type HttpResponse,
  type InvokeResult,
  type PlainResponse,
  requestLogLine,
  type RouteTable,
} from '../host/index.js';
import { badRequest } from '../graph/errors.js';
import { bareErrorResponse } from '../graph/http.js';

/** The host raises Kestrel's body limit to 100 MB; a larger Content-Length fails the request (500) before any function runs. */
const HOST_BODY_LIMIT = 100 * 1024 * 1024;
/** Kestrel's default limits: the request line (with its CRLF), the header lines (each with its CRLF), their number. */
export const REQUEST_LINE_LIMIT = 8 * 1024;
export const HOST_HEADER_LIMIT = 32 * 1024;
export const HEADER_COUNT_LIMIT = 100;

/** A Host header: a DNS name, IPv4 or bracketed IPv6 address, and an optional port of at most 65535. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?)(?::(\d{1,5}))?$/;

export function isValidHostHeader(value: string | undefined): value is string {
  const m = value === undefined ? null : HOST_HEADER.exec(value);
  if (!m) return false;
  const name = m[1] ?? '';
  if (name.startsWith('[') && !isIPv6(name.slice(1, -1))) return false;
  return m[2] === undefined || Number(m[2]) <= 65535;
}

/**
 * The path and raw query of a request target as Kestrel takes them: origin-form (`/path?query`; a `#` is part
 * of the path), or absolute-form whose authority is the Host header; else the status Kestrel answers.
 */
function splitTarget(target: string, host: string, method: string): { path: string; query: string } | number {
  // The asterisk-form is for OPTIONS only (an empty path, which only a root catch-all matches); else a 405.
  if (target === '*') return method === 'OPTIONS' ? { path: '', query: '' } : 405;
  let rest = target;
  const absolute = /^https?:\/\/([^/?#]*)/i.exec(target);
  if (absolute) {
    if ((absolute[1] ?? '').toLowerCase() !== host.toLowerCase()) return 400;
    rest = target.slice(absolute[0].length) || '/';
  }
  if (!rest.startsWith('/')) return 400;
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q) };
}

/** Node's raw headers (name, value, name, value, ...) as pairs. */
function* headerPairs(raw: string[]): Generator<[name: string, value: string]> {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const [name, value] = [raw[i], raw[i + 1]];
    if (name !== undefined && value !== undefined) yield [name, value];
  }
}

/** Header names lower-cased and repeated ones joined by commas, as the host passes them to the worker. */
function headersOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of headerPairs(raw)) {
    const name = rawName.toLowerCase();
    const seen = out[name];
    out[name] = seen === undefined ? value : `${seen},${value}`;
  }
  return out;
}

/** Why Kestrel answers a request itself, with an empty body, before routing it: its status; undefined when it routes it. */
function kestrelRefusal(req: IncomingMessage): number | undefined {
  // In latin1 every character is one byte, so the lengths are counted without building the lines.
  const requestLineBytes = (req.method ?? '').length + (req.url ?? '').length + req.httpVersion.length + ' '.length + ' HTTP/\r\n'.length;
  if (requestLineBytes > REQUEST_LINE_LIMIT) return 414;
  let headerBytes = 0;
  let hosts = 0;
  const raw = req.rawHeaders;
  for (const [name, value] of headerPairs(raw)) {
    headerBytes += name.length + value.length + ': \r\n'.length;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (headerBytes > HOST_HEADER_LIMIT || raw.length / 2 > HEADER_COUNT_LIMIT) return 431;
  if (hosts > 1 || (hosts === 0 && req.httpVersion !== '1.0') || (hosts === 1 && !isValidHostHeader(req.headers.host))) return 400;
  const coding = req.headers['transfer-encoding'];
  if (coding !== undefined && !/(^|,)\s*chunked\s*$/i.test(coding)) return 400;
  return undefined;
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A plain result (see `plainResponse`) written as it is, without building an `HttpResponse`. */
function sendPlain(res: ServerResponse, plain: PlainResponse, head: boolean): void {
  // The headers are the plain response's own copy (plainResponse), so the length is added to them in place.
  if (plain.body !== undefined) plain.headers['content-length'] = String(Buffer.byteLength(plain.body));
  res.writeHead(plain.status, plain.headers);
  res.end(head ? undefined : plain.body);
}

/** Kestrel's own answer, written straight to the socket: a status, no body, and the connection closed. */
const bareResponse = (status: number) =>
  `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;

async function send(res: ServerResponse, response: HttpResponse, head: boolean): Promise<void> {
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, key) => (headers[key] ??= []).push(value));
  const body = response.body && response.status !== 204 && response.status !== 304 ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

/**
 * Serves a route table over HTTP the way the Azure Functions host does (docs/ARCHITECTURE.md, "One route
 * table, two hosts"), as tools/host-check measured it: Kestrel's limits and its reading of the target (the
 * path decoded, dot segments removed; aspnet.ts), the route prefix from host.json, the first function in name
 * order whose template and method match, run through `invoke` (host/invoke.ts) with the URL, merged query,
 * headers and body the worker would receive: a body only when Content-Length announces one. What Kestrel or
 * the router answer by themselves (a malformed request, a limit, no function for the path and method) is a
 * bare status with no body, as there.
 */
export async function startLocalHost(routes: RouteTable, options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((level, ...args) => level === 'error' && console.error(...args));
  const scheme = options.tls ? 'https' : 'http';
  const refusedSockets = new WeakSet<Duplex>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const started = performance.now();
    const answered = (status: number) =>
      log('information', requestLogLine({ method: req.method ?? '?', path: req.url ?? '/', status, ms: performance.now() - started }));
    // Kestrel's and the router's own answers: a status, no body, and a log line.
    const bare = (status: number, close = true) => {
      if (close) refusedSockets.add(req.socket);
      res.writeHead(status, { 'content-length': '0', ...(close ? { connection: 'close' } : {}) });
      res.end();
      answered(status);
    };
    try {
      const refusal = kestrelRefusal(req);
      if (refusal) return bare(refusal);
      const host = req.headers.host ?? '';
      const target = splitTarget(req.url ?? '', host, method);
      if (typeof target === 'number') return bare(target);
      const match = routes.match(method, target.path);
      if (!match) {
        req.resume();
        return bare(404, false);
      }
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > HOST_BODY_LIMIT) return bare(500);
      // The host copies a body only when Content-Length is over 0; a chunked one never reaches the function.
      const bytes = length > 0 ? await readBody(req) : (req.resume(), undefined);
      const url = `${scheme}://${host}${pathToUri(decodePath(target.path))}${target.query}`;
      let result: InvokeResult;
      try {
        result = await invoke(
          match,
          {
            method,
            url,
            query: target.query,
            headers: headersOf(req.rawHeaders),
            body: method !== 'GET' && method !== 'HEAD' ? bytes : undefined,
          },
          log,
        );
      } catch (error) {
        if (!(error instanceof UnbuildableRequest)) throw error;
        await send(
          res,
          asHttpResponse(bareErrorResponse(badRequest('The request has an invalid header.'), [req.headers['client-request-id']].flat()[0])),
          method === 'HEAD',
        );
        answered(400);
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
      bare(500);
    }
  };
  // Requests Node's parser refuses: Kestrel's answer to the same bytes (a request line over its limit is a
  // 414, headers over it a 431, a method no function can list a 404, anything else malformed a 400).
  const clientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // Already refused (the parser fails on the body of a request answered from its head): just close.
    if (refusedSockets.has(socket)) {
      socket.end();
      return;
    }
    const firstLine = error.rawPacket?.toString('latin1').split('\r\n')[0];
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? firstLine === undefined || Buffer.byteLength(firstLine, 'latin1') + 2 > REQUEST_LINE_LIMIT
          ? 414
          : 431
        : error.code === 'HPE_INVALID_METHOD'
          ? 404
          : 400;
    socket.end(bareResponse(status));
  };
  // Node's parser takes the request line and headers up to both of Kestrel's limits; kestrelRefusal checks each.
  const limits = { maxHeaderSize: REQUEST_LINE_LIMIT + HOST_HEADER_LIMIT + 2, requireHostHeader: false };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ...limits }, (req, res) => void handle(req, res))
    : createHttpServer(limits, (req, res) => void handle(req, res));
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
