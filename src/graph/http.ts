import { randomUUID } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import type { FunctionRequest } from '../host/index.js';
import { GraphError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export type ApiVersion = 'beta' | 'v1.0';

export const INCLUDE_UNKNOWN_ENUM_MEMBERS = 'include-unknown-enum-members';

/** What every response needs to know about the request it answers. */
export interface RequestContext {
  requestId: string;
  clientRequestId: string;
  /** The caller's own client-request-id, when it sent a valid one (creates key their retries on it). */
  callerRequestId?: string;
  /** Scheme and host as the caller addressed us, e.g. `https://127.0.0.1:7443`. */
  origin: string;
  version: ApiVersion;
  /** `${origin}/${version}`: the base of Location headers, nextLinks and @odata.context. */
  serviceRoot: string;
  prefer: ReadonlySet<string>;
}

const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A caller's client-request-id, trimmed, when it is one the service may echo; else undefined (it gets a GUID). */
export function validClientRequestId(value: string | null | undefined): string | undefined {
  const given = value?.trim();
  return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : undefined;
}

/** Set by `$batch` on each item: items share the batch's client-request-id, so their keys add the item's id. */
export const BATCH_ITEM_HEADER = 'x-batch-item-id';

/**
 * Whose word the service takes for the origin of the links it writes (`@odata.context`, `@odata.id`,
 * `@odata.nextLink`, `Location`; in `$batch` answers too). The request's Host header only when it names one of
 * `trustedHosts` (a name without a port matches it on any port; `host:port` matches exactly); any other Host
 * gets `canonicalHost` (WEBSITE_HOSTNAME; else `localhost` on the request's port), never an error, so a forged Host cannot
 * point an SDK, bearer token in hand, at another server. `X-Forwarded-Host` (with `X-Forwarded-Proto`) is
 * taken only when it names one of `forwardedHosts`, the public names of trusted proxies in front of the
 * service (setting FORWARDED_HOSTS); any other value is ignored. The settings fill these (src/settings.ts).
 */
export interface OriginTrust {
  forwardedHosts: ReadonlySet<string>;
  /** Lower-case host names, `host` or `host:port`. */
  trustedHosts: ReadonlySet<string>;
  canonicalHost?: string;
}

/** Local runs: the loopback names only. */
export const LOCAL_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];
export const NO_PROXY: OriginTrust = { forwardedHosts: new Set(), trustedHosts: new Set(LOCAL_HOSTS) };

/** What the context needs of the request's URL. */
interface UrlParts {
  protocol: string;
  host: string;
  pathname: string;
}

/**
 * A request's URL is already serialized by the platform's `Request` (`scheme://host[:port]/path?query`,
 * normalized), so its parts are read off the text rather than parsed again; anything else is parsed.
 */
const SERIALIZED_URL = /^([a-z][a-z\d+.-]*:)\/\/([^/?#@]*)(\/[^?#]*)?/i;
function urlParts(href: string): UrlParts {
  const m = SERIALIZED_URL.exec(href);
  if (!m) return new URL(href);
  const [, protocol = '', host = '', pathname = '/'] = m;
  return { protocol: protocol.toLowerCase(), host, pathname };
}

function originOf(req: FunctionRequest, url: UrlParts, trust: OriginTrust): string {
  const first = (name: string) => req.headers.get(name)?.split(',')[0]?.trim().toLowerCase();
  const forwarded = first('x-forwarded-host');
  if (forwarded && trust.forwardedHosts.has(forwarded)) {
    const proto = first('x-forwarded-proto');
    return `${proto === 'http' || proto === 'https' ? proto : url.protocol.replace(':', '')}://${forwarded}`;
  }
  const host = (req.headers.get('host') || url.host).toLowerCase();
  const port = /:(\d+)$/.exec(host);
  const name = port ? host.slice(0, port.index) : host;
  if (trust.trustedHosts.has(host) || trust.trustedHosts.has(name)) return `${url.protocol}//${host}`;
  return `${url.protocol}//${trust.canonicalHost ?? `localhost${port?.[0] ?? ''}`}`;
}

/** The preferences of a request without a Prefer header (nearly every one): shared, never changed. */
const NO_PREFERENCES: ReadonlySet<string> = new Set();

export function requestContext(req: FunctionRequest, trust: OriginTrust = NO_PROXY): RequestContext {
  const url = urlParts(req.url);
  const version: ApiVersion = /^\/v1\.0(\/|$)/i.test(url.pathname) ? 'v1.0' : 'beta';
  const origin = originOf(req, url, trust);
  const given = validClientRequestId(req.headers.get('client-request-id'));
  const preferHeader = req.headers.get('prefer');
  const prefer = preferHeader
    ? new Set(
        preferHeader
          .split(',')
          .map((p) => p.trim().toLowerCase())
          .filter(Boolean),
      )
    : NO_PREFERENCES;
  const item = given !== undefined ? req.headers.get(BATCH_ITEM_HEADER) : null;
  return {
    requestId: randomUUID(),
    clientRequestId: given ?? randomUUID(),
    ...(given !== undefined ? { callerRequestId: item === null ? given : `${given}/${item}` } : {}),
    origin,
    version,
    serviceRoot: `${origin}/${version}`,
    prefer,
  };
}

export function standardHeaders(ctx: RequestContext): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'OData-Version': '4.0',
    'Cache-Control': 'no-cache',
    // Every enum in a response honours this preference (see evolvableEnum in odata.ts).
    ...(ctx.prefer.has(INCLUDE_UNKNOWN_ENUM_MEMBERS) ? { 'Preference-Applied': INCLUDE_UNKNOWN_ENUM_MEMBERS } : {}),
  };
}

export function json(ctx: RequestContext, status: number, body: unknown, headers?: Record<string, string>): HttpResponseInit {
  return serializedJson(ctx, status, JSON.stringify(body), headers);
}

/** Responses whose body is JSON text the service serialized itself (`json`, `serializedJson`), with that text. */
const SERIALIZED = new WeakMap<HttpResponseInit, string>();

/** A JSON response of text already serialized (spliced from `JSON.stringify` output, say). */
export function serializedJson(ctx: RequestContext, status: number, text: string, headers?: Record<string, string>): HttpResponseInit {
  const common = standardHeaders(ctx);
  common['Content-Type'] = JSON_CONTENT_TYPE;
  const response = { status, headers: headers ? { ...common, ...headers } : common, body: text };
  SERIALIZED.set(response, text);
  return response;
}

/** Whether `result` came from `json`/`serializedJson` with the body it still has: valid JSON text. */
export const isSerializedJson = (result: HttpResponseInit): boolean => SERIALIZED.get(result) === result.body;

export function noContent(ctx: RequestContext, headers: Record<string, string> = {}): HttpResponseInit {
  return { status: 204, headers: { ...standardHeaders(ctx), ...headers } };
}

export function text(ctx: RequestContext, status: number, body: string): HttpResponseInit {
  return { status, headers: { ...standardHeaders(ctx), 'Content-Type': 'text/plain;charset=utf-8' }, body };
}

/** Graph's `innerError.date`: UTC without fraction or offset. */
const graphDate = () => new Date().toISOString().slice(0, 19);

export function errorResponse(ctx: RequestContext, error: GraphError): HttpResponseInit {
  return json(
    ctx,
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        innerError: { date: graphDate(), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
      },
    },
    error.headers,
  );
}

/**
 * A Graph error for a request no function saw (the host refuses its target, Host header, header size or
 * method): the same envelope and headers, without a request context.
 */
export function bareErrorResponse(error: GraphError, clientRequestId?: string): HttpResponseInit {
  const ctx: RequestContext = {
    requestId: randomUUID(),
    clientRequestId: validClientRequestId(clientRequestId) ?? randomUUID(),
    origin: '',
    version: 'beta',
    serviceRoot: '',
    prefer: new Set(),
  };
  return errorResponse(ctx, error);
}

export const wantsMinimal = (ctx: RequestContext) => ctx.prefer.has('return=minimal');
