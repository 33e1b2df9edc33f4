import type { HttpHandler, HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Access, Authenticator, Caller } from '../identity/index.js';
import { GraphError } from './errors.js';
import { errorResponse, requestContext, type RequestContext } from './http.js';

/** One call of an endpoint, after the shared checks: who calls, in which tenant, with which ids. */
export interface Call {
  req: HttpRequest;
  ctx: RequestContext;
  params: Record<string, string>;
  caller: Caller;
  log: InvocationContext;
}

/**
 * An endpoint as its file declares it: a name (the Functions host matches routes in name order, so names
 * decide which of two overlapping templates wins), a route without the version segment, its methods, the
 * access it needs, and a handler factory that receives the service's dependencies.
 */
export interface Endpoint<D> {
  name: string;
  route: string;
  methods: HttpMethod[];
  access: Access;
  handler: (deps: D) => (call: Call) => Promise<HttpResponseInit>;
}

export const defineEndpoint = <D>(endpoint: Endpoint<D>) => endpoint;

function throttled(error: unknown): GraphError | undefined {
  // The Cosmos SDK retries 429s itself; one that still surfaces is passed on with its advice.
  const e = error as { code?: unknown; retryAfterInMs?: unknown };
  if (e && e.code === 429) {
    const seconds = Math.max(1, Math.ceil(Number(e.retryAfterInMs ?? 1000) / 1000));
    return new GraphError(429, 'Too many requests. Retry after the time given in Retry-After.', {
      'Retry-After': String(seconds),
    });
  }
  return undefined;
}

/**
 * The single path every function takes: request ids and headers, authentication and scopes, the handler,
 * and the translation of any failure into a Graph error. Nothing internal reaches the caller.
 */
export function toHttpHandler(
  run: (call: Call) => Promise<HttpResponseInit>,
  access: Access,
  authenticator: Authenticator,
): HttpHandler {
  return async (req, invocation) => {
    const ctx = requestContext(req);
    try {
      const caller = await authenticator.authenticate(req.headers.get('authorization'), access);
      return await run({ req, ctx, params: req.params, caller, log: invocation });
    } catch (error) {
      if (error instanceof GraphError) return errorResponse(ctx, error);
      const busy = throttled(error);
      if (busy) return errorResponse(ctx, busy);
      invocation.error(`request ${ctx.requestId} failed`, error);
      return errorResponse(ctx, new GraphError(500, 'An internal error occurred. Quote the request-id when reporting it.'));
    }
  };
}
