import type { HttpHandler, HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { domainFailure, type DomainFailure } from '../directory/errors.js';
import type { Access, Authenticator, Caller } from '../identity/index.js';
import { GraphError, badRequest, conflict, notFound, preconditionFailed } from './errors.js';
import { withDeadline } from '../lib/deadline.js';
import { NO_PROXY, errorResponse, requestContext, type OriginTrust, type RequestContext } from './http.js';
import { requestLogLine } from './request-log.js';

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

/** A domain refusal in Graph's words. */
function fromDomain(failure: DomainFailure): GraphError {
  switch (failure.kind) {
    case 'notFound':
      return notFound(`Resource '${failure.entity}'`);
    case 'conflict':
      return conflict(failure.message);
    case 'exists':
      return conflict(`An object with id '${failure.id}' already exists.`);
    case 'preconditionFailed':
      return preconditionFailed();
    case 'invalid':
      return badRequest(failure.message);
    case 'busy': {
      const headers = { 'Retry-After': String(failure.retryAfterSeconds) };
      return failure.throttled
        ? new GraphError(429, 'Too many requests. Retry after the time given in Retry-After.', headers)
        : new GraphError(503, 'The service is busy. Retry the request after the time given in Retry-After.', headers);
    }
  }
}

/** Any failure as the caller sees it; undefined for a fault of ours (a 500). */
export function toGraphError(error: unknown): GraphError | undefined {
  if (error instanceof GraphError) return error;
  const failure = domainFailure(error);
  return failure ? fromDomain(failure.failure) : undefined;
}

/** What the edge of the service is told by its settings. */
export interface EdgeOptions {
  /** Whose host the links name (graph/http.ts). */
  trust?: OriginTrust;
  /** The time one request may take, store retries included (lib/deadline.ts); none by default. */
  deadlineMs?: number;
}

/**
 * The single path every function takes: request ids and headers, authentication and scopes, the handler
 * within the request's deadline, and the translation of any failure into a Graph error. Nothing internal
 * reaches the caller.
 */
export function toHttpHandler(
  run: (call: Call) => Promise<HttpResponseInit>,
  access: Access,
  authenticator: Authenticator,
  edge: EdgeOptions = {},
): HttpHandler {
  return async (req, invocation) => {
    const started = performance.now();
    const ctx = requestContext(req, edge.trust ?? NO_PROXY);
    const response = await answer(run, access, authenticator, edge, req, invocation, ctx);
    // One line per request, like the host's own: the console locally, Application Insights in Azure.
    invocation.info(requestLogLine({ method: req.method, path: req.url, status: response.status ?? 200, ms: performance.now() - started, requestId: ctx.requestId }));
    return response;
  };
}

async function answer(
  run: (call: Call) => Promise<HttpResponseInit>,
  access: Access,
  authenticator: Authenticator,
  edge: EdgeOptions,
  req: HttpRequest,
  invocation: InvocationContext,
  ctx: RequestContext,
): Promise<HttpResponseInit> {
  try {
    const caller = await authenticator.authenticate(req.headers.get('authorization'), access);
    const call = () => run({ req, ctx, params: req.params, caller, log: invocation });
    return await (edge.deadlineMs === undefined ? call() : withDeadline(edge.deadlineMs, call));
  } catch (error) {
    const refusal = toGraphError(error);
    if (refusal) return errorResponse(ctx, refusal);
    invocation.error(`request ${ctx.requestId} failed`, error);
    return errorResponse(ctx, new GraphError(500, 'An internal error occurred. Quote the request-id when reporting it.'));
  }
}
