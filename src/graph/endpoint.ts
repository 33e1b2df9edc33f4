import type { HttpMethod, HttpResponseInit } from '@azure/functions';
import { domainFailure, type DomainFailure, type Rule } from '../directory/errors.js';
import type { Access, Authenticator, Caller } from '../identity/index.js';
import { GraphError, badRequest, conflict, notFound, preconditionFailed } from './errors.js';
import type { Actor } from '../lib/actor.js';
import { withDeadline, type Scope } from '../lib/deadline.js';
import { NO_PROXY, errorResponse, requestContext, type OriginTrust, type RequestContext } from './http.js';
import { PROFILE_ID, assertProfile, pathId } from './odata.js';
import type { OperationDoc } from './openapi.js';
import { carriedDeadline, type FunctionContext, type FunctionHandler, type FunctionRequest, requestLogLine } from '../host/index.js';

/** One call of an endpoint, after the shared checks: who calls, in which tenant, with which ids. */
export interface Call<P extends string = string> {
  req: FunctionRequest;
  ctx: RequestContext;
  /** The route's parameters, each checked by its kind: ids are lower-case GUIDs. */
  params: Record<P, string>;
  caller: Caller;
  /**
   * What every directory call is given: the caller's tenant (`caller.tenantId`), whose partition every read
   * and write stays in, and the request's deadline.
   */
  scope: Scope;
  log: FunctionContext;
}

/**
 * What a path parameter names. An id kind must be a GUID (anything else names nothing: 404 naming the kind,
 * as Graph answers); `profile` exists only as `applicationProxy`, in any case; `rest` is a catch-all's
 * unchecked remainder.
 */
export type ParamKind = 'profile' | 'connector' | 'connectorGroup' | 'application' | 'rest';

/** The parameter names of a route template: `a/{id}/b/{*path}` gives `'id' | 'path'`. */
export type RouteParams<R extends string> = R extends `${string}{${infer P}}${infer Rest}`
  ? (P extends `*${infer N}` ? N : P) | RouteParams<Rest>
  : never;

/**
 * An endpoint, declared in one place: its name (one per endpoint: the function's name; the export is its
 * camelCase form), its route without the version segment, methods, access, the kind of each path parameter,
 * how `/openapi.json` describes it, and a handler factory that receives the service's dependencies and then
 * each call with its parameters already checked.
 *
 * The Functions host tries functions in name order (ignoring case) and a literal segment does not beat a
 * parameter, so where two routes overlap the one with the literal must have the name that sorts first;
 * `assertPrecedence` (host/routing.ts) refuses a table where it does not.
 */
export interface Endpoint<D, R extends string = string> {
  name: string;
  route: R;
  methods: HttpMethod[];
  access: Access;
  params: Record<RouteParams<R>, ParamKind>;
  doc: OperationDoc;
  /** Registered once at the root instead of under each version (`/openapi.json`). */
  unversioned?: true;
  /** May answer synchronously (nothing to wait for); a throw is a refusal either way. */
  handler: (deps: D) => (call: Call<RouteParams<R>>) => HttpResponseInit | Promise<HttpResponseInit>;
}

const routeParams = (route: string) => [...route.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);

/** Declares an endpoint; its parameter kinds must name exactly the route's parameters. */
export function defineEndpoint<D>() {
  return <R extends string>(endpoint: Endpoint<D, R>): Endpoint<D> => {
    const declared = Object.keys(endpoint.params).sort();
    const inRoute = routeParams(endpoint.route).sort();
    if (declared.join() !== inRoute.join()) {
      throw new Error(`Endpoint '${endpoint.name}': parameters [${declared}] do not match the route's [${inRoute}].`);
    }
    return endpoint;
  };
}

function checkParam(kind: ParamKind, value: string | undefined): string {
  switch (kind) {
    case 'profile':
      assertProfile(value);
      return PROFILE_ID;
    case 'rest':
      return value ?? '';
    default:
      return pathId(value, kind);
  }
}

/** The endpoint's handler with its dependencies, checking each path parameter (in route order) before it runs. */
export function serve<D>(endpoint: Endpoint<D>, deps: D): (call: Call) => Promise<HttpResponseInit> {
  const run = endpoint.handler(deps);
  const kinds = routeParams(endpoint.route).map((name) => [name, (endpoint.params as Record<string, ParamKind>)[name]!] as const);
  return async (call) => {
    const params: Record<string, string> = {};
    for (const [name, kind] of kinds) params[name] = checkParam(kind, call.params[name]);
    return await run({ ...call, params });
  };
}

/** Each rule of the directory in Graph's words: the status and message a Graph client gets when it refuses. */
const RULES: Record<Rule, () => GraphError> = {
  alreadyMember: () => badRequest("One or more added object references already exist for the following modified properties: 'memberOf'."),
  connectorStaysInDefault: () => badRequest("The connector is in the 'Default' connectorGroup; it cannot be removed from it, only added to another group."),
  applicationStaysInDefault: () =>
    badRequest("The application is in the 'Default' connectorGroup; it cannot be removed from it unless it is added to another group."),
  defaultStaysDefault: () => badRequest("Invalid value for property 'isDefault': this is the tenant's Default connectorGroup, and it stays the default."),
  onlyDefaultIsDefault: () => badRequest("Invalid value for property 'isDefault': only the tenant's Default connectorGroup has isDefault true."),
  regionOfUsedGroup: () => conflict('The region of a connectorGroup can only be changed while no connectors or applications are assigned to it.'),
  deleteDefault: () => conflict('The default connectorGroup cannot be deleted.'),
  deleteUsedGroup: () => conflict('A connectorGroup can only be deleted when no connectors or applications are assigned to it.'),
};

/** A domain refusal in Graph's words. */
function fromDomain(failure: DomainFailure): GraphError {
  switch (failure.kind) {
    case 'notFound':
      return notFound(`Resource '${failure.entity}'`);
    case 'refused':
      return RULES[failure.rule]();
    case 'exists':
      return conflict(`An object with id '${failure.id}' already exists.`);
    case 'preconditionFailed':
      return preconditionFailed();
    case 'unserviceable':
      return badRequest(failure.detail);
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
  /** The time one request may take, store retries included (lib/deadline.ts); none by default. A `$batch` item keeps its batch's. */
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
): FunctionHandler {
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
  req: FunctionRequest,
  invocation: FunctionContext,
  ctx: RequestContext,
): Promise<HttpResponseInit> {
  try {
    const caller = await authenticator.authenticate(req.headers.get('authorization'), access);
    const outer = carriedDeadline(invocation);
    // Only a change is recorded, so only a change needs to know who asked.
    const actor = access === 'write' ? actorOf(caller, req, ctx) : undefined;
    const call = (deadline = outer) =>
      run({ req, ctx, params: req.params, caller, scope: { tenantId: caller.tenantId, deadline, ...(actor ? { actor } : {}) }, log: invocation });
    return await (edge.deadlineMs === undefined ? call() : withDeadline(edge.deadlineMs, outer, call));
  } catch (error) {
    const refusal = toGraphError(error);
    if (refusal) return errorResponse(ctx, refusal);
    invocation.error(`request ${ctx.requestId} failed`, error);
    return errorResponse(ctx, new GraphError(500, 'An internal error occurred. Quote the request-id when reporting it.'));
  }
}

/**
 * The caller's address as the Functions host hands it on: the worker sees no socket, only the headers, and
 * Azure's front end appends the address it was called from to `X-Forwarded-For`, so the last entry is the one
 * no caller wrote; its port, when given, is dropped. The Functions host run locally adds none (nor does the
 * local host, which passes the headers as it does): null.
 */
export function callerAddress(forwardedFor: string | null): string | null {
  const last = forwardedFor?.split(',').at(-1)?.trim();
  if (!last) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracketed) return bracketed[1]!;
  // One colon is an IPv4 address with its port; more are an IPv6 address without one.
  return last.split(':').length === 2 ? last.split(':')[0]! : last;
}

/** Who asked and from where, for the audit record of a change: from the token and the request. */
function actorOf(caller: Caller, req: FunctionRequest, ctx: RequestContext): Actor {
  const delegated = caller.objectId !== undefined;
  return {
    user: delegated
      ? {
          id: caller.objectId ?? null,
          displayName: caller.displayName ?? null,
          userPrincipalName: caller.userPrincipalName ?? null,
          ipAddress: callerAddress(req.headers.get('x-forwarded-for')),
          homeTenantId: caller.homeTenantId ?? null,
        }
      : null,
    app: caller.appId !== undefined ? { appId: caller.appId, displayName: caller.appDisplayName ?? null } : null,
    correlationId: ctx.callerRequestId !== undefined ? ctx.clientRequestId : ctx.requestId,
    userAgent: req.headers.get('user-agent'),
  };
}
