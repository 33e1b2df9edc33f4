import { randomUUID } from 'node:crypto';
import functions, { type HttpResponseInit, type LogLevel } from '@azure/functions';
import type { RouteMatch } from './routing.js';

// @azure/functions is CommonJS: Node's ESM loader sees only some of its names, so take the classes from it.
const { HttpRequest, HttpResponse, InvocationContext } = functions;
export type HttpResponse = InstanceType<typeof HttpResponse>;

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
 * route's parameters, a fresh `InvocationContext` whose logs go to `log`, and the result normalized through
 * `HttpResponse`. The local host and `$batch` both call functions through here.
 */
export async function invoke(match: RouteMatch, request: InvokeRequest, log: LogSink): Promise<HttpResponse> {
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
  return result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
}
