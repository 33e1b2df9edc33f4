import { randomUUID } from 'node:crypto';
import functions, { type HttpResponseInit, type LogLevel } from '@azure/functions';
import type { Deadline } from '../lib/deadline.js';
import { mergeQuery } from './aspnet.js';
import type { FunctionDef, RouteMatch } from './routing.js';

// @azure/functions is CommonJS: Node's ESM loader sees only some of its names, so take the classes from it.
const { HttpRequest, HttpResponse, InvocationContext } = functions;
export type HttpResponse = InstanceType<typeof HttpResponse>;

/** What a function returned, as the host reads it: an `HttpResponse`, or a plain init object (none: 204). */
export type InvokeResult = HttpResponse | HttpResponseInit;

const isHttpResponse = (result: InvokeResult): result is HttpResponse => result instanceof HttpResponse;

/** The result normalized through `HttpResponse`, as the host does before writing it. */
export const asHttpResponse = (result: InvokeResult): HttpResponse => (isHttpResponse(result) ? result : new HttpResponse(result));

/** A response as the host writes it: lower-case header names, repeated names joined, the body as text. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * What `HttpResponse` would make of a plain result whose body is a string (or absent), without building it
 * (its web streams cost more than the request): header names lower-cased and repeated names joined, the
 * platform's text/plain default for a string body without a Content-Type, no body on a 204 or 304.
 * Undefined for anything else (an `HttpResponse`, streams, bytes, jsonBody, cookies): those go through
 * `asHttpResponse`. Used by the local host and by `$batch`.
 */
export function plainResponse(result: InvokeResult): PlainResponse | undefined {
  if (isHttpResponse(result)) return undefined;
  const { status = 200, headers = {}, body, jsonBody, cookies, enableContentNegotiation } = result;
  if (jsonBody !== undefined || cookies !== undefined || enableContentNegotiation !== undefined) return undefined;
  if ((body !== undefined && body !== null && typeof body !== 'string') || typeof headers !== 'object' || Array.isArray(headers))
    return undefined;
  if (Object.getPrototypeOf(headers) !== Object.prototype && Object.getPrototypeOf(headers) !== null) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, string>)) {
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? String(value) : `${out[key]}, ${String(value)}`;
  }
  if (typeof body === 'string') out['content-type'] ??= 'text/plain;charset=UTF-8';
  return { status, headers: out, body: typeof body === 'string' && status !== 204 && status !== 304 ? body : undefined };
}

export interface InvokeRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** The raw query string (default: the URL's), which the function receives merged as the host merges it. */
  query?: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export type LogSink = (level: LogLevel, ...args: unknown[]) => void;

/**
 * What the service's functions read of a request: a part of the Functions library's `HttpRequest`, which
 * satisfies it, so a function works the same whether the host or `$batch` called it.
 */
export interface FunctionRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What the service's functions use of their `InvocationContext`: its logging, which the Functions library's satisfies. */
export type FunctionContext = Pick<InstanceType<typeof InvocationContext>, 'trace' | 'debug' | 'info' | 'warn' | 'error'>;

/** A function as the service writes it: it reads a `FunctionRequest`, so `$batch` can call it without an `HttpRequest`. */
export type FunctionHandler = (request: FunctionRequest, context: FunctionContext) => Promise<HttpResponseInit>;

/** A function of the table that `$batch` can call in-process (`invokeItem`). */
export interface ServedFunction extends FunctionDef {
  serve: FunctionHandler;
}

/** A `$batch` item's context: its logs go to the batch's sink, and it carries the batch's deadline. */
class ItemContext implements FunctionContext {
  constructor(
    private readonly log: LogSink,
    readonly deadline: Deadline | undefined,
  ) {}

  trace(...args: unknown[]): void {
    this.log('trace', ...args);
  }

  debug(...args: unknown[]): void {
    this.log('debug', ...args);
  }

  info(...args: unknown[]): void {
    this.log('information', ...args);
  }

  warn(...args: unknown[]): void {
    this.log('warning', ...args);
  }

  error(...args: unknown[]): void {
    this.log('error', ...args);
  }
}

/** The deadline a function was invoked with from inside the service (a `$batch` item: its batch's), if any (graph/endpoint.ts keeps to it). */
export const carriedDeadline = (context: FunctionContext): Deadline | undefined =>
  context instanceof ItemContext ? context.deadline : undefined;

/** The request could not be built: the platform's `Request` refuses malformed header names or values. */
export class UnbuildableRequest extends Error {}

/** The query as the host hands it to a function: repeated names merged (aspnet.ts). */
const hostQuery = (request: InvokeRequest): Record<string, string> =>
  Object.fromEntries(mergeQuery(request.query ?? new URL(request.url).search));

/** RFC 9110 tokens: the header names the platform's `Request` accepts. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTTP whitespace at either end of a value, which the platform strips. */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** What the platform refuses in a value: NUL, CR or LF, or a character that is not a byte. */
const REFUSED_IN_VALUE = /[\0\n\r\u0100-\uffff]/;

/** Values this long are remembered once checked: the batch's Authorization comes again with every item. */
const REMEMBERED_LENGTH = 256;
let remembered: { raw: string; value: string } | undefined;

/** A header value as the platform takes it (trimmed), or undefined when the platform refuses it. */
function headerValue(raw: string): string | undefined {
  if (raw === remembered?.raw) return remembered.value;
  const value = raw.replace(EDGE_WHITESPACE, '');
  if (REFUSED_IN_VALUE.test(value)) return undefined;
  if (raw.length >= REMEMBERED_LENGTH) remembered = { raw, value };
  return value;
}

/** Headers taken as the platform's `Headers` takes them (names lower-cased, values trimmed), read-only. */
class ItemHeaders {
  private readonly values = new Map<string, string>();

  constructor(headers: Record<string, string>) {
    for (const [name, raw] of Object.entries(headers)) {
      const value = headerValue(raw);
      if (!HEADER_NAME.test(name) || value === undefined) throw new UnbuildableRequest('The request has an invalid header.');
      const key = name.toLowerCase();
      const before = this.values.get(key);
      this.values.set(key, before === undefined ? value : `${before}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
}

/** A `$batch` item as its function reads it; the body can be read once, as the platform's. */
class ItemRequest implements FunctionRequest {
  readonly headers: ItemHeaders;
  readonly query: URLSearchParams;
  private body: Buffer | undefined;
  private used = false;

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string>,
    query: Record<string, string>,
    readonly params: Record<string, string>,
    body: Buffer | undefined,
  ) {
    this.headers = new ItemHeaders(headers);
    this.query = new URLSearchParams(query);
    this.body = body;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.used = true;
    const body = this.body ?? Buffer.alloc(0);
    this.body = undefined;
    return Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  }
}

/**
 * Runs a function for a `$batch` item, in-process: the request as the function reads it (`FunctionRequest`,
 * its headers checked as the platform's `Request` checks them: `UnbuildableRequest` otherwise), and a context
 * whose logs go to `log` and which carries the batch's deadline. The worker's `HttpRequest` and
 * `InvocationContext` are what the host hands a function; inside a batch nobody needs their web streams and
 * bindings, which cost more than the item's own work.
 */
export async function invokeItem(
  match: RouteMatch<ServedFunction>,
  request: InvokeRequest,
  log: LogSink,
  deadline?: Deadline,
): Promise<InvokeResult> {
  const req = new ItemRequest(
    request.method,
    request.url,
    request.headers,
    hostQuery(request),
    match.params,
    request.body?.length ? request.body : undefined,
  );
  return match.fn.serve(req, new ItemContext(log, deadline));
}

/**
 * Runs the matched function the way the Functions host does: the request built as an `HttpRequest` with the
 * route's parameters, the query merged as the host merges it (aspnet.ts) and a fresh `InvocationContext` whose
 * logs go to `log`. The local host calls functions through here (`$batch` through `invokeItem`);
 * `asHttpResponse` normalizes what they return.
 */
export async function invoke(match: RouteMatch, request: InvokeRequest, log: LogSink): Promise<InvokeResult> {
  let req: InstanceType<typeof HttpRequest>;
  try {
    req = new HttpRequest({
      method: request.method,
      url: request.url,
      headers: request.headers,
      params: match.params,
      query: hostQuery(request),
      body: request.body?.length ? { bytes: request.body } : undefined,
    });
  } catch (cause) {
    throw new UnbuildableRequest('The request has an invalid header.', { cause });
  }
  const context = new InvocationContext({
    functionName: match.fn.name,
    invocationId: randomUUID(),
    logHandler: (level, ...args) => log(level, ...args),
  });
  const result = (await match.fn.handler(req, context)) as HttpResponseInit | HttpResponse | undefined;
  return result ?? { status: 204 };
}
