import { randomUUID } from 'node:crypto';
import type { LogLevel } from '@azure/functions';
import type { Deadline } from '../lib/deadline.js';
import { logText } from '../lib/log-text.js';
import { mediaType, utf8Text } from './body.js';
import { GraphError, badRequest } from './errors.js';
import { BATCH_ITEM_HEADER, errorResponse, isSerializedJson, validClientRequestId, type RequestContext } from './http.js';
import {
  asHttpResponse,
  invokeItem,
  plainResponse,
  UnbuildableRequest,
  type FunctionContext,
  type FunctionRequest,
  type InvokeResult,
  type ServedFunction,
  pathSegments,
  type RouteTable,
} from '../host/index.js';

/**
 * JSON batching (`POST /{version}/$batch`), as Graph does it: up to 20 requests, each run through the same
 * route table and function as a direct call, so authentication, scopes, the tenant, validation and errors
 * are the same. The batch's Authorization goes to every item and each item is checked on its own: a
 * read-only token gets 403 on the write items, not on the batch. Items without `dependsOn` run
 * concurrently; an item runs once its dependencies have finished, and gets 424 when one of them failed.
 *
 * Tolerances for the official clients (docs/CLIENTS.md, "JSON batching"): item URLs with or without a
 * version (none: the batch's), bodies as JSON values or base64 strings (Kiota), no item Content-Type with a
 * body meaning JSON. Responses: `"Content-Type"` with that exact casing (the v3 client needs it), no `body`
 * on a 204, JSON bodies as objects, other text as a string.
 */
export const MAX_BATCH_REQUESTS = 20;

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

/** Item headers the batch decides itself: the caller's identity and origin, and the framing. */
const IGNORED_ITEM_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-for',
  'forwarded',
  BATCH_ITEM_HEADER,
]);

/** Graph's spelling of response header names inside batch items. */
const HEADER_CASE: Record<string, string> = {
  etag: 'ETag',
  'odata-version': 'OData-Version',
  'www-authenticate': 'WWW-Authenticate',
  'request-id': 'request-id',
  'client-request-id': 'client-request-id',
};

const spelled = new Map<string, string>(Object.entries(HEADER_CASE));
/** Names seen are remembered (every item of every batch spells the same few), up to a bound. */
const MAX_SPELLED = 256;

function headerName(lower: string): string {
  let name = spelled.get(lower);
  if (name === undefined) {
    name = lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    if (spelled.size < MAX_SPELLED) spelled.set(lower, name);
  }
  return name;
}

interface BatchItem {
  id: string;
  key: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The items it runs after: its `dependsOn` ids (which ignore case), each resolved by `parseBatch`. */
  dependsOn: BatchItem[];
}

export interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** A JSON body as the function serialized it, written into the batch's response as it is (not parsed and serialized again). */
class SerializedBody {
  constructor(readonly text: string) {}
}

/** `{"responses":[…]}`: each item serialized, its body spliced in when the function serialized it already. */
export function batchResponseText(responses: BatchItemResponse[]): string {
  const items = responses.map((item) => {
    if (!(item.body instanceof SerializedBody)) return JSON.stringify(item);
    const { body, ...rest } = item;
    return `${JSON.stringify(rest).slice(0, -1)},"body":${body.text}}`;
  });
  return `{"responses":[${items.join(',')}]}`;
}

const malformed = (message: string) => badRequest(`Invalid batch payload format: ${message}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One item as written, its `dependsOn` still the ids it names. */
function parseItem(raw: unknown, index: number): { item: BatchItem; dependsOn: string[] } {
  const where = `requests[${index}]`;
  if (!isObject(raw)) throw malformed(`${where} must be an object.`);
  const { id, method, url, headers, body, dependsOn } = raw;
  if (typeof id !== 'string' || id.trim() === '') throw malformed(`${where}.id must be a non-empty string.`);
  if (typeof method !== 'string' || method === '') throw malformed(`${where}.method must be a string.`);
  if (typeof url !== 'string' || url === '') throw malformed(`${where}.url must be a non-empty string.`);
  const itemHeaders: Record<string, string> = {};
  if (headers !== undefined && headers !== null) {
    if (!isObject(headers)) throw malformed(`${where}.headers must be an object.`);
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw malformed(`${where}.headers['${name.slice(0, 100)}'] must be a string.`);
      }
      itemHeaders[name.toLowerCase()] = String(value);
    }
  }
  let deps: string[] = [];
  if (dependsOn !== undefined && dependsOn !== null) {
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) {
      throw malformed(`${where}.dependsOn must be an array of request ids.`);
    }
    deps = dependsOn as string[];
  }
  return {
    item: { id, key: id.toLowerCase(), method: method.toUpperCase(), url, headers: itemHeaders, body, dependsOn: [] },
    dependsOn: deps,
  };
}

/** The batch as a whole: any fault here is a 400 for all of it. */
export function parseBatch(body: Record<string, unknown>): BatchItem[] {
  const { requests } = body;
  if (!Array.isArray(requests)) throw malformed("the body must have a 'requests' array.");
  if (requests.length === 0) throw malformed('the batch has no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw badRequest(`The batch has ${requests.length} requests; the limit is ${MAX_BATCH_REQUESTS}.`);
  }
  const parsed = requests.map(parseItem);
  const byKey = new Map<string, BatchItem>();
  for (const { item } of parsed) {
    if (byKey.has(item.key)) throw malformed(`the request id '${item.id.slice(0, 100)}' is used more than once.`);
    byKey.set(item.key, item);
  }
  for (const { item, dependsOn } of parsed) {
    for (const dep of dependsOn) {
      const required = byKey.get(dep.toLowerCase());
      if (!required) throw malformed(`request '${item.id.slice(0, 100)}' depends on '${dep.slice(0, 100)}', which is not in the batch.`);
      item.dependsOn.push(required);
    }
  }
  // Depth-first search for a cycle (a request depending on itself included).
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: BatchItem): void => {
    const seen = state.get(item.key);
    if (seen === 'done') return;
    if (seen === 'visiting') throw malformed(`the dependencies of request '${item.id.slice(0, 100)}' form a cycle.`);
    state.set(item.key, 'visiting');
    for (const dep of item.dependsOn) visit(dep);
    state.set(item.key, 'done');
  };
  const items = parsed.map(({ item }) => item);
  items.forEach(visit);
  return items;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const OPENS_OBJECT = /^[ \t\r\n]*\{/;

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The bytes an item's body stands for: JSON values serialized, base64 strings decoded (Kiota), else the text.
 * Base64 that decodes to an object's opening brace but not to UTF-8 is passed on as decoded, so the function
 * refuses it as not UTF-8 rather than as the base64 text.
 */
function itemBodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'string') return Buffer.from(JSON.stringify(body), 'utf8');
  if (body.length > 0 && BASE64.test(body)) {
    const decoded = Buffer.from(body, 'base64');
    const text = utf8Text(decoded);
    if (text === undefined ? OPENS_OBJECT.test(decoded.toString('latin1')) : parsesAsJson(text)) return decoded;
  }
  return Buffer.from(body, 'utf8');
}

const LOGGERS: Record<LogLevel, (log: FunctionContext, ...args: unknown[]) => void> = {
  trace: (log, ...args) => log.trace(...args),
  debug: (log, ...args) => log.debug(...args),
  information: (log, ...args) => log.info(...args),
  warning: (log, ...args) => log.warn(...args),
  error: (log, ...args) => log.error(...args),
  critical: (log, ...args) => log.error(...args),
  none: () => undefined,
};

/**
 * What a function returned as a batch item: Graph's header names, the body as JSON, text, or nothing. A plain
 * result is read as it is (`plainResponse`); anything else through `HttpResponse`, as the host would.
 */
async function toItemResponse(id: string, result: InvokeResult): Promise<BatchItemResponse> {
  const headers: Record<string, string> = {};
  const add = (value: string, name: string) => {
    const key = headerName(name);
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  };
  const plain = plainResponse(result);
  if (plain) {
    // Headers iterate in name order; so do a plain result's, so the item is the same either way.
    for (const [name, value] of Object.entries(plain.headers).sort(([a], [b]) => (a < b ? -1 : 1))) add(value, name);
    const item: BatchItemResponse = { id, status: plain.status, headers };
    // A plain result's body is text already.
    if (plain.status === 204 || plain.status === 304 || !plain.body) return item;
    return withItemBody(item, plain.body, undefined, isSerializedJson(result));
  }
  const response = asHttpResponse(result);
  response.headers.forEach(add);
  const item: BatchItemResponse = { id, status: response.status, headers };
  if (response.status === 204 || response.status === 304 || !response.body) return item;
  // Only an HttpResponse's body is read as bytes.
  const bytes = Buffer.from(await response.arrayBuffer());
  return bytes.length ? withItemBody(item, bytes.toString('utf8'), bytes, false) : item;
}

/** The item with its body: `serialized` JSON as it was written, other JSON parsed, else text or base64. */
function withItemBody(item: BatchItemResponse, text: string, bytes: Buffer | undefined, serialized: boolean): BatchItemResponse {
  const mime = mediaType(item.headers['Content-Type'] ?? '');
  const isJson = mime === 'application/json' || mime.endsWith('+json');
  if (isJson && serialized) {
    item.body = new SerializedBody(text);
    return item;
  }
  if (isJson) {
    try {
      item.body = JSON.parse(text) as unknown;
      return item;
    } catch {
      // fall through: returned as text
    }
  }
  // Text (a `$count`, a JSON body that does not parse) as a string; anything else base64, as Graph does.
  item.body = mime.startsWith('text/') || isJson ? text : (bytes ?? Buffer.from(text, 'utf8')).toString('base64');
  return item;
}

interface BatchRun {
  routes: RouteTable<ServedFunction>;
  ctx: RequestContext;
  /** The batch's own request: its Authorization goes to every item. */
  outer: Pick<FunctionRequest, 'url' | 'headers'>;
  log: FunctionContext;
  /** The batch's deadline, which its items keep. */
  deadline?: Deadline;
}

/** A refusal the batch makes for one item, shaped exactly like a function's error response. */
function itemError(run: BatchRun, item: BatchItem, error: GraphError): Promise<BatchItemResponse> {
  // As for an item that runs (requestContext): the caller's id when valid, the batch's when none, else a GUID.
  const given = item.headers['client-request-id'];
  const clientRequestId = given === undefined ? run.ctx.clientRequestId : (validClientRequestId(given) ?? randomUUID());
  const ctx: RequestContext = { ...run.ctx, requestId: randomUUID(), clientRequestId };
  return toItemResponse(item.id, errorResponse(ctx, error));
}

/** The origin items are addressed at: the batch's own. */
function batchOrigin(run: BatchRun): string {
  try {
    return new URL(run.ctx.origin).origin;
  } catch {
    return new URL(run.outer.url).origin;
  }
}

/** The absolute URL an item addresses: the batch's origin, the item's version (else the batch's). */
function itemUrl(run: BatchRun, origin: string, item: BatchItem): { href: string; pathname: string; search: string } {
  const notRelative = () =>
    badRequest(`The request URL '${item.url.slice(0, 200)}' must be relative to the service root, such as '/beta/...' or '/me'.`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url) || /^[/\\]{2}/.test(item.url)) throw notRelative();
  let url: URL;
  try {
    url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, origin);
  } catch {
    throw notRelative();
  }
  if (url.origin !== origin || url.username || url.password) throw notRelative();
  const segments = url.pathname.split('/').filter(Boolean);
  if (!/^(beta|v1\.0)$/i.test(segments[0] ?? '')) segments.unshift(run.ctx.version);
  // The segments are the parsed URL's, already encoded: joined, they are what setting `pathname` would give.
  const pathname = `/${[run.routes.routePrefix.replace(/^\/+|\/+$/g, ''), ...segments].filter(Boolean).join('/')}`;
  return { href: `${origin}${pathname}${url.search}`, pathname, search: url.search };
}

async function execute(run: BatchRun, origin: string, item: BatchItem): Promise<BatchItemResponse> {
  if (!METHODS.has(item.method)) {
    return itemError(run, item, badRequest(`The method '${item.method.slice(0, 20)}' is not supported in a batch request.`));
  }
  let url: ReturnType<typeof itemUrl>;
  try {
    url = itemUrl(run, origin, item);
  } catch (error) {
    if (error instanceof GraphError) return itemError(run, item, error);
    throw error;
  }
  const match = run.routes.match(item.method, url.pathname);
  const path = pathSegments(url.pathname);
  if (path.at(-1)?.toLowerCase() === '$batch' || match?.fn.route.toLowerCase().endsWith('$batch')) {
    return itemError(run, item, badRequest('A batch request cannot contain another batch request.'));
  }
  if (!match) return itemError(run, item, badRequest(`The request URL '${item.url.slice(0, 200)}' is not valid.`));

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(item.headers)) if (!IGNORED_ITEM_HEADERS.has(name)) headers[name] = value;
  const authorization = run.outer.headers.get('authorization');
  if (authorization !== null) headers.authorization = authorization;
  headers['client-request-id'] ??= run.ctx.clientRequestId;
  // Each item comes from where the batch came from (the audit record of its change says so).
  const forwardedFor = run.outer.headers.get('x-forwarded-for');
  if (forwardedFor !== null) headers['x-forwarded-for'] = forwardedFor;
  const userAgent = run.outer.headers.get('user-agent');
  if (userAgent !== null) headers['user-agent'] ??= userAgent;
  headers[BATCH_ITEM_HEADER] = item.id;
  const body = itemBodyBytes(item.body);
  if (body && headers['content-type'] === undefined) headers['content-type'] = 'application/json';

  let result: InvokeResult;
  try {
    result = await invokeItem(
      match,
      {
        method: item.method,
        url: url.href,
        query: url.search,
        headers,
        body: item.method !== 'GET' && item.method !== 'DELETE' ? body : undefined,
      },
      (level, ...args) => LOGGERS[level](run.log, `batch item ${logText(item.id)}:`, ...args),
      run.deadline,
    );
  } catch (error) {
    if (error instanceof UnbuildableRequest) {
      return itemError(run, item, badRequest(`Request '${item.id.slice(0, 100)}' has an invalid header.`));
    }
    // Every function is wrapped by toHttpHandler and answers its own errors; this is a last resort.
    run.log.error(`batch item ${logText(item.id)} failed`, error);
    return itemError(run, item, new GraphError(500, 'An internal error occurred. Quote the request-id when reporting it.'));
  }
  return toItemResponse(item.id, result);
}

/** Runs every item, each after its dependencies, concurrently otherwise; answers in request order. */
export async function runBatch(run: BatchRun, items: BatchItem[]): Promise<BatchItemResponse[]> {
  const origin = batchOrigin(run);
  const started = new Map<string, Promise<BatchItemResponse>>();
  const start = (item: BatchItem): Promise<BatchItemResponse> => {
    let running = started.get(item.key);
    if (!running) {
      running = (async () => {
        const deps = await Promise.all(item.dependsOn.map((dep) => start(dep)));
        const failed = deps.find((d) => d.status >= 400);
        if (failed) {
          return itemError(
            run,
            item,
            new GraphError(424, `The request depends on request '${failed.id.slice(0, 100)}', which failed with status ${failed.status}.`),
          );
        }
        return execute(run, origin, item);
      })();
      started.set(item.key, running);
    }
    return running;
  };
  return Promise.all(items.map(start));
}
