import { randomUUID } from 'node:crypto';
import functions, { type HttpResponseInit, type LogLevel } from '@azure/functions';
import type { RouteMatch } from './routing.js';

// @azure/functions is CommonJS: Node's ESM loader sees only some of its names, so take the classes from it.
const { HttpRequest, HttpResponse, InvocationContext } = functions;
export type HttpResponse = InstanceType<typeof HttpResponse>;

/** What a function returned, as the host reads it: an `HttpResponse`, or a plain init object (none: 204). */
export type InvokeResult = HttpResponse | HttpResponseInit;

export const isHttpResponse = (result: InvokeResult): result is HttpResponse => result instanceof HttpResponse;

/** The result normalized through `HttpResponse`, as the host does before writing it. */
export const asHttpResponse = (result: InvokeResult): HttpResponse => (isHttpResponse(result) ? result : new HttpResponse(result));

export interface InvokeRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export type LogSink = (level: LogLevel, ...args: unknown[]) => void;

/** The request could not be built: the platform's `Request` refuses malformed header names or values. */
export class UnbuildableRequest extends Error {}

/**
 * Runs the matched function the way the Functions host does: the request built as an `HttpRequest` with the
 * route's parameters and a fresh `InvocationContext` whose logs go to `log`. The local host and `$batch` both
 * call functions through here; `asHttpResponse` normalizes what they return.
 */
export async function invoke(match: RouteMatch, request: InvokeRequest, log: LogSink): Promise<InvokeResult> {
  let req: InstanceType<typeof HttpRequest>;
  try {
    req = new HttpRequest({
      method: request.method,
      url: request.url,
      headers: request.headers,
      params: match.params,
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
