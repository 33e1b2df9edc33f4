import { randomUUID } from 'node:crypto';
import functions, { type HttpResponseInit, type LogLevel } from '@azure/functions';
import type { Deadline } from '../lib/deadline.js';
import { mergeQuery } from './aspnet.js';
import type { RouteMatch } from './routing.js';

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
  if ((body !== undefined && body !== null && typeof body !== 'string') || typeof headers !== 'object' || Array.isArray(headers)) return undefined;
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

/** The deadline of the request a function is invoked for from inside the service (a `$batch` item: its batch's). */
const carried = new WeakMap<InstanceType<typeof InvocationContext>, Deadline>();

/** What `invoke` was handed as the invocation's deadline, if anything (graph/endpoint.ts keeps to it). */
export const carriedDeadline = (context: InstanceType<typeof InvocationContext>): Deadline | undefined => carried.get(context);

/** The request could not be built: the platform's `Request` refuses malformed header names or values. */
export class UnbuildableRequest extends Error {}

/**
 * Runs the matched function the way the Functions host does: the request built as an `HttpRequest` with the
 * route's parameters, the query merged as the host merges it (aspnet.ts) and a fresh `InvocationContext` whose
 * logs go to `log`, carrying `deadline` when the caller is itself a request. The local host and `$batch` both
 * call functions through here; `asHttpResponse` normalizes what they return.
 */
export async function invoke(match: RouteMatch, request: InvokeRequest, log: LogSink, deadline?: Deadline): Promise<InvokeResult> {
  let req: InstanceType<typeof HttpRequest>;
  try {
    req = new HttpRequest({
      method: request.method,
      url: request.url,
      headers: request.headers,
      params: match.params,
      query: Object.fromEntries(mergeQuery(request.query ?? new URL(request.url).search)),
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
  if (deadline) carried.set(context, deadline);
  const result = (await match.fn.handler(req, context)) as HttpResponseInit | HttpResponse | undefined;
  return result ?? { status: 204 };
}
