import type { HttpMethod, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { domainFailure, type DomainFailure, type Rule } from '../directory/errors.js';
import {
  ACCEPTED_ALGORITHMS,
  IdentityError,
  type Access,
  type Authenticator,
  type Caller,
  type Denial,
  type IdentityFailure,
  type TokenProblem,
} from '../identity/index.js';
import { GraphError, badRequest, conflict, notFound, preconditionFailed } from './errors.js';
import type { Actor } from '../lib/actor.js';
import { withDeadline, type Scope } from '../lib/deadline.js';
import { NO_PROXY, errorResponse, requestContext, type OriginTrust, type RequestContext } from './http.js';
import { readJsonObject, validate } from './body.js';
import { PROFILE_ID, assertProfile, ifMatch, pathId, type EtagTest } from './odata.js';
import type { OperationDoc } from './openapi.js';
import { carriedDeadline, type FunctionContext, type FunctionHandler, type FunctionRequest, requestLogLine } from '../host/index.js';

/** One call of an endpoint as the edge hands it over: who calls, in which tenant, the request as it came. */
export interface Call<P extends string = string> {
  req: FunctionRequest;
  ctx: RequestContext;
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
 * A body the declaration names: the zod schema it must satisfy and the Graph type its errors name
 * (`connectorGroup`: "Property 'x' does not exist on type 'microsoft.graph.connectorGroup'").
 */
export interface BodySchema<S extends z.ZodType = z.ZodType> {
  schema: S;
  type: string;
}

/**
 * What an endpoint's body is: one schema; one of several forms, each but the last picked by a property the
 * body has (`when`), the last otherwise; or a JSON object read by a function of its own (`$batch`).
 * The body is read and checked before the handler runs; a schema's JSON Schema is the OpenAPI request body.
 */
export type BodySpec =
  | BodySchema
  | { oneOf: readonly [...(BodySchema & { when: string })[], BodySchema] }
  | { read: (json: Record<string, unknown>) => unknown };

/** The body a handler receives for its declaration's `body`. */
export type BodyOf<B> = B extends { schema: infer S extends z.ZodType }
  ? z.output<S>
  : B extends { oneOf: readonly (infer F)[] }
    ? F extends { schema: infer S extends z.ZodType }
      ? z.output<S>
      : never
    : B extends { read: (json: Record<string, unknown>) => infer T }
      ? T
      : undefined;

/**
 * One call of an endpoint as its handler sees it: the checked path parameters and body, and what the
 * declaration asks for: the parsed `If-Match` (`precondition`), the key a create's retries share
 * (`create`). The request's body and those headers are read by the edge, never by a handler: `req` has no
 * body to read and `ctx` no client-request-id key.
 */
export type HandlerCall<P extends string, B, Pre, Cr> = Omit<Call<P>, 'req' | 'ctx'> & {
  req: Omit<FunctionRequest, 'arrayBuffer'>;
  ctx: Omit<RequestContext, 'callerRequestId'>;
  /** The route's parameters, each checked by its kind: ids are lower-case GUIDs. */
  params: Record<P, string>;
  body: BodyOf<B>;
} & (Pre extends true
    ? { /** `If-Match` as a test of a stored etag; undefined without the header. */ ifMatch: EtagTest | undefined }
    : unknown) &
  (Cr extends true
    ? {
        /** The caller's valid client-request-id (its item's in `$batch`), which the create's retries share. */ createKey:
          string | undefined;
      }
    : unknown);

/**
 * What a path parameter names. An id kind must be a GUID (anything else names nothing: 404 naming the kind,
 * as Graph answers); `profile` exists only as `applicationProxy`, in any case; `rest` is a catch-all's
 * unchecked remainder.
 */
export type ParamKind = 'profile' | 'connector' | 'connectorGroup' | 'application' | 'directoryAudit' | 'rest';

/** The parameter names of a route template: `a/{id}/b/{*path}` gives `'id' | 'path'`. */
export type RouteParams<R extends string> = R extends `${string}{${infer P}}${infer Rest}`
  ? (P extends `*${infer N}` ? N : P) | RouteParams<Rest>
  : never;

/**
 * An endpoint, declared in one place: its name (one per endpoint: the function's name; the export is its
 * camelCase form), its route without the version segment, methods, access, the kind of each path parameter,
 * how `/openapi.json` describes it, its body, whether it takes `If-Match` (`precondition`) and whether it is
 * a create whose retries share a key (`create`), and a handler factory that receives the service's
 * dependencies and then each call with its parameters and body already checked (`HandlerCall`).
 *
 * The Functions host tries functions in name order (ignoring case) and a literal segment does not beat a
 * parameter, so where two routes overlap the one with the literal must have the name that sorts first;
 * `assertPrecedence` (host/routing.ts) refuses a table where it does not.
 */
export interface Declaration<
  D,
  R extends string,
  B extends BodySpec | undefined,
  Pre extends true | undefined,
  Cr extends true | undefined,
> {
  name: string;
  route: R;
  methods: HttpMethod[];
  access: Access;
  params: Record<RouteParams<R>, ParamKind>;
  /** The OpenAPI entry; its request body comes from `body`. */
  doc: Omit<OperationDoc, 'request'>;
  body?: B;
  /** The handler receives the request's `If-Match` (`ifMatch`). */
  precondition?: Pre;
  /** A create: the handler receives the key its retries share (`createKey`). */
  create?: Cr;
  /** Registered once at the root instead of under each version (`/openapi.json`). */
  unversioned?: true;
  /** May answer synchronously (nothing to wait for); a throw is a refusal either way. */
  handler: (deps: D) => (call: HandlerCall<RouteParams<R>, B, Pre, Cr>) => HttpResponseInit | Promise<HttpResponseInit>;
}

/** An endpoint as declared (`defineEndpoint`), its OpenAPI entry complete. */
export interface Endpoint<D> extends Omit<
  Declaration<D, string, BodySpec | undefined, true | undefined, true | undefined>,
  'doc' | 'handler'
> {
  doc: OperationDoc;
  handler: (deps: D) => (call: HandlerCall<string, BodySpec | undefined, true, true>) => HttpResponseInit | Promise<HttpResponseInit>;
}

const routeParams = (route: string) => [...route.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g)].flatMap(([, name]) => name ?? []);

/** The schema OpenAPI describes a body with: a choice of forms is any of them. */
function requestSchema(body: BodySpec | undefined): z.ZodType | undefined {
  if (!body || 'read' in body) return undefined;
  if ('schema' in body) return body.schema;
  const [first, ...rest] = body.oneOf;
  return rest.reduce<z.ZodType>((all, form) => all.or(form.schema), first.schema);
}

/** Declares an endpoint; its parameter kinds must name exactly the route's parameters. */
export function defineEndpoint<D>() {
  return <
    R extends string,
    B extends BodySpec | undefined = undefined,
    Pre extends true | undefined = undefined,
    Cr extends true | undefined = undefined,
  >(
    endpoint: Declaration<D, R, B, Pre, Cr>,
  ): Endpoint<D> => {
    const declared = Object.keys(endpoint.params).sort();
    const inRoute = routeParams(endpoint.route).sort();
    if (declared.join() !== inRoute.join()) {
      throw new Error(`Endpoint '${endpoint.name}': parameters [${declared}] do not match the route's [${inRoute}].`);
    }
    const request = requestSchema(endpoint.body);
    return { ...endpoint, doc: { ...endpoint.doc, ...(request ? { request } : {}) } } as unknown as Endpoint<D>;
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

/** The request's body as the declaration names it: read as a JSON object, then checked against its form. */
async function readBody(body: BodySpec, req: FunctionRequest): Promise<unknown> {
  const json = await readJsonObject(req);
  if ('read' in body) return body.read(json);
  // Of several forms, the first whose `when` property the body has, else the last (which has none).
  const form = 'schema' in body ? body : body.oneOf.reduceRight((chosen, f) => ('when' in f && Object.hasOwn(json, f.when) ? f : chosen));
  return validate(json, form.schema, `microsoft.graph.${form.type}`);
}

/**
 * The endpoint's handler with its dependencies: each path parameter checked (in route order), then the body,
 * before it runs; it gets what its declaration asks for.
 */
export function serve<D>(endpoint: Endpoint<D>, deps: D): (call: Call) => Promise<HttpResponseInit> {
  const run = endpoint.handler(deps);
  // In route order (defineEndpoint made sure the declared names are the route's).
  const order = routeParams(endpoint.route);
  const declared: Readonly<Record<string, ParamKind>> = endpoint.params;
  const kinds = Object.entries(declared).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  const { body, precondition, create } = endpoint;
  return async (call) => {
    const params: Record<string, string> = {};
    for (const [name, kind] of kinds) params[name] = checkParam(kind, call.params[name]);
    return await run({
      ...call,
      params,
      body: body && (await readBody(body, call.req)),
      ifMatch: precondition ? ifMatch(call.req.headers.get('if-match')) : undefined,
      createKey: create ? call.ctx.callerRequestId : undefined,
    });
  };
}

/** Each rule of the directory in Graph's words: the status and message a Graph client gets when it refuses. */
const RULES: Record<Rule, () => GraphError> = {
  alreadyMember: () => badRequest("One or more added object references already exist for the following modified properties: 'memberOf'."),
  connectorStaysInDefault: () =>
    badRequest("The connector is in the 'Default' connectorGroup; it cannot be removed from it, only added to another group."),
  applicationStaysInDefault: () =>
    badRequest("The application is in the 'Default' connectorGroup; it cannot be removed from it unless it is added to another group."),
  defaultStaysDefault: () =>
    badRequest("Invalid value for property 'isDefault': this is the tenant's Default connectorGroup, and it stays the default."),
  onlyDefaultIsDefault: () =>
    badRequest("Invalid value for property 'isDefault': only the tenant's Default connectorGroup has isDefault true."),
  regionOfUsedGroup: () =>
    conflict('The region of a connectorGroup can only be changed while no connectors or applications are assigned to it.'),
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

/** The challenge of every 401, as Graph sends it; `error="invalid_token"` is added when a token was presented. */
export const WWW_AUTHENTICATE_CHALLENGE = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"';

/** A 401 with the challenge; `tokenPresented` adds `error="invalid_token"` and the message as its description. */
function unauthorized(message: string, tokenPresented: boolean): GraphError {
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, ' ');
  const challenge = tokenPresented
    ? `${WWW_AUTHENTICATE_CHALLENGE}, error="invalid_token", error_description="${description}"`
    : WWW_AUTHENTICATE_CHALLENGE;
  return new GraphError(401, message, { 'WWW-Authenticate': challenge });
}

const INVALID = 'Access token validation failure.';

/** Each problem of a token in Graph's words (401 InvalidAuthenticationToken), and whether a token was presented. */
const TOKEN_PROBLEMS: Record<TokenProblem, [message: string, presented: boolean]> = {
  empty: ['Access token is empty.', false],
  notBearer: ['Access token is empty. The Authorization header must use the Bearer scheme.', false],
  malformed: [`${INVALID} The token is malformed.`, true],
  tooLarge: [`${INVALID} The token is too large.`, true],
  tenantInvalid: [`${INVALID} The tid claim is missing or is not a GUID.`, true],
  issuerInvalid: [`${INVALID} Invalid issuer.`, true],
  expired: ['Lifetime validation failed, the token is expired.', true],
  notYetValid: ['Lifetime validation failed, the token is not yet valid.', true],
  audienceInvalid: [`${INVALID} Invalid audience.`, true],
  algorithmNotAccepted: [`${INVALID} The signing algorithm is not accepted (only ${ACCEPTED_ALGORITHMS.join(', ')}).`, true],
  signingKeyUnknown: [`${INVALID} The signing key is unknown.`, true],
  signatureInvalid: [`${INVALID} Invalid signature.`, true],
};

/** Graph's words when the caller may not do this. */
const INSUFFICIENT_PRIVILEGES = 'Insufficient privileges to complete the operation.';

/** Each denial of identity in Graph's words (403 Authorization_RequestDenied). */
const DENIALS: Record<Denial, string> = {
  personalAccount: 'Personal Microsoft accounts are not supported. Sign in with a work or school account.',
  appOnly: 'Application permissions are not supported. Use a delegated (user) token.',
  noDelegatedPermissions: 'The token carries no delegated permissions (scp).',
  noDirectoryRoles: `${INSUFFICIENT_PRIVILEGES} The token carries no directory roles (wids).`,
  roleNotPermitted: INSUFFICIENT_PRIVILEGES,
};

/** An identity refusal in Graph's words. */
function fromIdentity(failure: IdentityFailure): GraphError {
  switch (failure.kind) {
    case 'token':
      return unauthorized(...TOKEN_PROBLEMS[failure.problem]);
    case 'claim':
      return unauthorized(
        `${INVALID} ${failure.missing ? `The ${failure.claim} claim is missing.` : `Invalid ${failure.claim} claim.`}`,
        true,
      );
    case 'denied':
      return new GraphError(403, DENIALS[failure.denial]);
    case 'scope': {
      const kind = failure.application ? 'application' : 'delegated';
      const needs = failure.every
        ? `the ${kind} permissions ${failure.needed.join(' and ')}`
        : `one of the ${kind} permissions ${failure.needed.join(', ')}`;
      return new GraphError(403, `${INSUFFICIENT_PRIVILEGES} This operation needs ${needs}.`);
    }
    case 'keysUnavailable':
      return new GraphError(503, 'The token signing keys of the identity provider could not be retrieved. Retry the request.', {
        'Retry-After': String(failure.retryAfterSeconds),
      });
  }
}

/** Any failure as the caller sees it; undefined for a fault of ours (a 500). */
export function toGraphError(error: unknown): GraphError | undefined {
  if (error instanceof GraphError) return error;
  if (error instanceof IdentityError) return fromIdentity(error.failure);
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
    invocation.info(
      requestLogLine({
        method: req.method,
        path: req.url,
        status: response.status ?? 200,
        ms: performance.now() - started,
        requestId: ctx.requestId,
      }),
    );
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
      run({
        req,
        ctx,
        params: req.params,
        caller,
        scope: { tenantId: caller.tenantId, deadline, ...(actor ? { actor } : {}) },
        log: invocation,
      });
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
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last)?.[1];
  if (bracketed) return bracketed;
  // One colon is an IPv4 address with its port; more are an IPv6 address without one.
  const colon = last.indexOf(':');
  return colon >= 0 && colon === last.lastIndexOf(':') ? last.slice(0, colon) : last;
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
